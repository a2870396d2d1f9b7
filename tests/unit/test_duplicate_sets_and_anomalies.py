"""A hand-made case for every row of the cleanup table (domain.md §4) and every anomaly."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain import commands as cmd
from domain import events as ev
from domain.person.evolve import fold
from domain.person.legacy import decide_import
from domain.regions import region_names
from domain.timeline import RecordedEvent
from projections.anomalies import anomaly_rows
from projections.duplicates import action, duplicate_rows
from projections.person_rows import StreamHistory
from tests.support.builders import NOW, ctx, resident_id

ID = resident_id()
PID = uuid4()
META = ev.Meta(command_id=uuid4(), command="Import", recorded_at=NOW, actor=ev.Actor(kind="import_job", id="j"),
               channel="import")


def legacy(row: int, insurance_type: str, region: str, start: date, end: date | None = None, status: str = "1",
           person_type: str | None = None, name: str = "王五", **kw) -> cmd.ImportLegacyEnrollment:
    resident = insurance_type in ("390", "391", "380")
    if end is None and (resident or status != "1"):  # 缴费截止年月: empty only for normal employees
        end = date(2019, 12, 1)
    return cmd.ImportLegacyEnrollment(
        effective=start, id_number=kw.pop("id_number", ID), name=name, gender="1", birth_date=date(1985, 6, 1),
        ethnicity="01", insurance_type=insurance_type, region=region, pooling_region=region[:4] + "00",
        unit_code="C1" if resident else "E1", person_type=person_type or ("1501" if resident else "1101"),
        enrollment_status=status, contribution_status="1", start=start, end=end, source="t.csv", row=row,
        region_name=region_names().get(region, "某区"), reason=kw.pop("reason", "11"), **kw)


def imported(*rows: cmd.ImportLegacyEnrollment, extra: tuple[ev.Event, ...] = ()) -> StreamHistory:
    events: list[ev.Event] = []
    for row in rows:
        events.extend(decide_import(row, fold(events), ctx()))
    events.extend(extra)
    return StreamHistory(PID, [RecordedEvent(PID, n, e, META) for n, e in enumerate(events, start=1)])


def the_set(stream: StreamHistory):
    [row] = duplicate_rows(stream)
    (_, kind, first, second, _, _, _, _, overlap_from, keep, clean, confirming, id_number, name) = row
    assert (id_number, name) == (stream.state.id_number, stream.state.name), "the set names its person"

    by_id = {e.id: e for e in stream.state.enrollments.values()}
    return kind, overlap_from, by_id.get(keep), by_id.get(clean), confirming


def test_resident_enrolled_in_two_regions_of_the_province_is_kept_by_the_persons_choice():
    stream = imported(
        legacy(1, "390", "350102", date(2015, 1, 1)),
        legacy(2, "390", "350203", date(2016, 1, 1)),
        extra=(ev.BaseInfoCorrected(effective=date(2020, 1, 1), changes={"household_region": (None, "350203")}),),
    )
    kind, _, keep, clean, confirming = the_set(stream)
    assert kind == "within_resident" and keep is None and clean is None and confirming == "350203"
    assert "户籍地" in action(kind, date(2016, 1, 1), date(2019, 12, 31))


def test_employee_enrolled_in_two_pooling_regions_is_confirmed_by_the_most_recent_ones_office():
    stream = imported(legacy(1, "310", "350102", date(2015, 1, 1)), legacy(2, "310", "350203", date(2017, 3, 1)))
    kind, overlap_from, keep, clean, confirming = the_set(stream)
    # "由最新的参保统筹区经办机构负责确认": that office confirms with the person; the ledger keeps both meanwhile.
    assert kind == "within_employee" and keep is None and clean is None
    assert confirming == "350200" and overlap_from == date(2017, 3, 1)
    assert "最新的参保统筹区经办机构负责确认" in action(kind, overlap_from, date(2019, 12, 31))


def test_two_enrollments_of_one_scheme_in_the_same_pooling_region_are_not_the_two_region_rule():
    stream = imported(legacy(1, "310", "350102", date(2015, 1, 1)), legacy(2, "310", "350103", date(2017, 3, 1)))
    kind, *_ , confirming = the_set(stream)
    assert kind == "within_same_pool" and confirming == "350100"


@pytest.mark.parametrize(("overlap_from", "as_of", "cleaned"), [
    (date(2019, 1, 1), date(2019, 12, 31), False),   # 364 days
    (date(2018, 12, 31), date(2019, 12, 31), True),  # exactly one calendar year
    (date(2019, 3, 1), date(2020, 2, 29), False),    # 365 days, across 29 February: short of a calendar year
    (date(2019, 3, 1), date(2020, 3, 1), True),
    (date(2016, 2, 29), date(2017, 2, 28), False),   # a year begun on 29 February ends with February
    (date(2016, 2, 29), date(2017, 3, 1), True),
])
def test_a_cross_scheme_overlap_is_cleaned_once_it_has_lasted_a_calendar_year(overlap_from, as_of, cleaned):
    assert (action("cross_scheme", overlap_from, as_of) != "重叠不足一年：不清理，按类型标记") is cleaned


def test_a_change_of_person_type_inside_the_overlap_does_not_restart_it():
    employee = legacy(1, "310", "350102", date(2015, 1, 1))
    resident = legacy(2, "390", "350102", date(2019, 3, 1))
    stream = imported(employee, resident)
    [enrollment] = [e for e in stream.state.enrollments.values() if e.insurance_type == "310"]
    retired = imported(employee, resident, extra=(ev.PersonRetired(
        effective=date(2019, 6, 1), reason="6501", person_type="1201", enrollment_ids=(enrollment.id,)),))
    kind, overlap_from, *_ = the_set(retired)
    assert kind == "cross_scheme" and overlap_from == date(2019, 3, 1)
    assert action(kind, overlap_from, date(2020, 3, 1)) != "重叠不足一年：不清理，按类型标记"


def test_cross_scheme_overlap_under_a_year_is_only_marked():
    stream = imported(legacy(1, "310", "350102", date(2019, 6, 1)), legacy(2, "390", "350102", date(2019, 9, 1)))
    kind, overlap_from, keep, clean, confirming = the_set(stream)
    assert kind == "cross_scheme"
    assert action(kind, overlap_from, date(2019, 12, 31)) == "重叠不足一年：不清理，按类型标记"


def test_cross_scheme_overlap_over_a_year_cleans_the_resident_enrollment_confirmed_where_it_is():
    stream = imported(legacy(1, "310", "350102", date(2015, 1, 1)), legacy(2, "390", "350203", date(2016, 1, 1)))
    kind, overlap_from, keep, clean, confirming = the_set(stream)
    assert keep.insurance_type == "310" and clean.insurance_type == "390" and confirming == "350203"
    assert "清理居民医保" in action(kind, overlap_from, date(2019, 12, 31))


def test_duplicates_across_provinces_are_marked_for_national_guidance():
    stream = imported(legacy(1, "390", "350102", date(2015, 1, 1)), legacy(2, "390", "110101", date(2016, 1, 1)))
    kind, *_ = the_set(stream)
    assert kind == "cross_province" and "国家" in action(kind, date(2016, 1, 1), date(2019, 12, 31))


def test_a_set_dissolves_when_its_overlap_is_closed():
    stream = imported(legacy(1, "390", "350102", date(2015, 1, 1)), legacy(2, "390", "350203", date(2016, 1, 1)))
    ended = next(e for e in stream.state.enrollments.values() if e.region == "350102")
    closed = imported(
        legacy(1, "390", "350102", date(2015, 1, 1)),
        legacy(2, "390", "350203", date(2016, 1, 1)),
        extra=(ev.EnrollmentTerminated(effective=date(2020, 1, 1), enrollment_id=ended.id, reason="6405"),),
    )
    assert duplicate_rows(closed) == []


def kinds(stream: StreamHistory) -> set[str]:
    return {row[4] for row in anomaly_rows(stream)}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ((legacy(1, "390", "350102", date(2015, 1, 1), id_number="350102850601123"),), "id_number_15_digit"),
        (
            (
                legacy(1, "390", "350102", date(2015, 1, 1)),
                legacy(2, "390", "350102", date(2010, 1, 1), date(2014, 1, 1), status="4", name="王武"),
            ),
            "id_number_several_names",
        ),
        (
            (legacy(1, "310", "350102", date(2015, 1, 1), date(2019, 1, 1), status="2", person_type="1201"),),
            "retired_suspended",
        ),
        ((legacy(1, "310", "350102", date(2015, 1, 1), survival_status="2"),), "dead_enrolled"),
        (
            (legacy(1, "310", "350102", date(2015, 1, 1)), legacy(2, "320", "350102", date(2015, 1, 1))),
            "subsidy_without_civil_servant",
        ),
        ((legacy(1, "310", "350102", date(2015, 1, 1), person_type="1102"),), "civil_servant_type_without_flag"),
        ((legacy(1, "390", "350102", date(2015, 1, 1)),), "phone_missing"),
    ],
)
def test_each_anomaly_is_found_and_named(rows, expected):
    assert expected in kinds(imported(*rows))


def test_a_civil_servant_without_the_subsidy_is_found():
    stream = imported(
        legacy(1, "310", "350102", date(2015, 1, 1), person_type="1102", phone="13800000000"),
        extra=(ev.BaseInfoCorrected(effective=date(2020, 1, 1), changes={"civil_servant": ("0", "1")}),),
    )
    assert kinds(stream) == {"civil_servant_without_subsidy"}


def test_a_clean_record_has_no_anomaly():
    assert kinds(imported(legacy(1, "390", "350102", date(2015, 1, 1), phone="13800000000"))) == set()


def in_force_on(stream: StreamHistory, day: date) -> bool:
    from domain.timeline import snapshot

    return any(s.status == "1" for s in snapshot(stream.history, day))


def test_an_end_month_covers_the_whole_month():
    paid_through_2019 = imported(legacy(1, "310", "350102", date(2015, 1, 1), end=date(2019, 12, 1), status="4"))
    assert in_force_on(paid_through_2019, date(2019, 12, 31))
    assert not in_force_on(paid_through_2019, date(2020, 1, 1))


def test_a_row_that_starts_and_ends_in_one_month_lasts_that_month():
    one_month = imported(legacy(1, "310", "350102", date(2019, 12, 1), end=date(2019, 12, 1), status="4"))
    assert in_force_on(one_month, date(2019, 12, 15)) and not in_force_on(one_month, date(2020, 1, 1))
