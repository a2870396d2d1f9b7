"""Contribution records (缴费记录): one month of an enrollment that was in force that month."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from domain import commands as cmd
from tests.support.builders import EMPLOYER, ctx, enroll_employee, register, resident_id
from tests.support.given import Story

ID = resident_id()


@pytest.fixture
def employed() -> Story:
    story = Story()
    story.then(register(ID))
    story.then(enroll_employee(ID, effective=date(2012, 3, 15)))
    return story


def paid(month: date, **kw) -> cmd.RecordContribution:
    fields = dict(insurance_type="310", region="350102", unit_code=EMPLOYER, base=Decimal("6000.00"),
                  unit_amount=Decimal("480.00"), personal_amount=Decimal("120.00"), source="tax")
    fields.update(kw)
    return cmd.RecordContribution(effective=month, id_number=ID, **fields)


def test_a_month_paid_is_recorded_with_its_base_and_both_parts(employed):
    [event] = employed.then(paid(date(2012, 3, 1), paid_on=date(2012, 4, 10)))
    assert (event.base, event.unit_amount, event.personal_amount) == (Decimal("6000.00"), Decimal("480.00"),
                                                                      Decimal("120.00"))
    month = employed.person.contributions[(date(2012, 3, 1), "310", "350102")]
    assert month.paid_on == date(2012, 4, 10) and month.unit_code == EMPLOYER


def test_the_month_the_enrollment_began_in_counts_and_the_one_before_does_not(employed):
    employed.then(paid(date(2012, 3, 1)))
    employed.refused(paid(date(2012, 2, 1)), "contribution.not_enrolled")


def test_a_month_is_named_by_its_first_day(employed):
    employed.refused(paid(date(2012, 5, 15)), "contribution.month_start")


def test_a_month_is_recorded_once_and_then_corrected_not_recorded_again(employed):
    employed.then(paid(date(2013, 1, 1)))
    employed.refused(paid(date(2013, 1, 1), base=Decimal("7000")), "contribution.already_recorded")


def test_no_contribution_while_suspended_for_the_whole_month(employed):
    [enrollment] = employed.person.open_enrollments()
    employed.then(cmd.Suspend(effective=date(2014, 1, 1), id_number=ID, enrollment_id=enrollment.id, reason="6301"))
    employed.refused(paid(date(2014, 2, 1)), "contribution.not_enrolled")
    employed.then(paid(date(2013, 12, 1)))


def test_a_month_not_yet_begun_is_refused(employed):
    employed.refused(paid(date(2030, 1, 1)), "contribution.future_month")


def test_a_month_begins_at_midnight_in_beijing_not_in_utc(employed):
    december = paid(date(2026, 12, 1))
    last_second_of_november = ctx(now=datetime(2026, 11, 30, 15, 59, 59, tzinfo=timezone.utc))  # 23:59:59 +08
    employed.refused(december, "contribution.future_month", last_second_of_november)
    employed.then(december, ctx(now=datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)))  # 00:00 on 1 December


def test_negative_amounts_never_reach_the_decider():
    with pytest.raises(ValueError):
        paid(date(2013, 1, 1), unit_amount=Decimal("-1"))


def test_a_two_region_record_adds_up_to_a_hand_count_with_its_gaps():
    """Employee in 鼓楼 2015-01…2017-06, then in 思明 from 2017-07; unpaid: 2016-03…04 (two months, can
    be paid up) and 2018-01…06 (six months, cannot). Counted by hand: 28 + 24 = 52 months = 4 years 4 months."""
    from domain.person.contribution_summary import summarise
    from tests.support.builders import EMPLOYER_2

    story = Story()
    story.then(register(ID))
    story.then(enroll_employee(ID, region="350102", effective=date(2015, 1, 1)))
    [first] = story.person.open_enrollments()
    story.then(cmd.Terminate(effective=date(2017, 7, 1), id_number=ID, enrollment_id=first.id, reason="6404"))
    story.then(enroll_employee(ID, region="350203", effective=date(2017, 7, 1), unit=EMPLOYER_2))

    def pay(first_month: date, last_month: date, region: str, unit: str, skip: tuple[date, date]) -> None:
        from domain.person.contribution_summary import months_between

        for month in months_between(first_month, last_month):
            if not skip[0] <= month <= skip[1]:
                story.then(paid(month, region=region, unit_code=unit))

    pay(date(2015, 1, 1), date(2017, 6, 1), "350102", EMPLOYER, (date(2016, 3, 1), date(2016, 4, 1)))
    pay(date(2017, 7, 1), date(2019, 12, 1), "350203", EMPLOYER_2, (date(2018, 1, 1), date(2018, 6, 1)))
    summary = summarise(story.person, date(2020, 1, 15))
    assert summary.months == {("310", "350102"): 28, ("310", "350203"): 24}
    assert summary.employee_months == 52 and summary.employee_years == (4, 4)
    assert [(g.region, g.first_month, g.months, g.can_be_paid_up) for g in summary.gaps] == [
        ("350102", date(2016, 3, 1), 2, True), ("350203", date(2018, 1, 1), 6, False)]
