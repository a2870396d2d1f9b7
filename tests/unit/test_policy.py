"""Who may send what: the access policy, decided on loaded state, on a fixed clock at the edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain import commands as cmd
from domain.access import NotAuthorised, Principal
from domain.clock import BEIJING
from domain.events import Actor
from domain.policy import authorise
from tests.support.builders import EMPLOYER, EMPLOYER_2, enroll_employee, register, resident_id
from tests.support.given import Story, units

AGENT = Principal("hr-1", "unit_agent", unit_code=EMPLOYER)
ID = resident_id()


def at(day: int, hour: int = 9, minute: int = 0, month: int = 12) -> datetime:
    """A moment of December 2026, Beijing time."""
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def agent_context(now: datetime, finance_funded: bool = False, evidence: tuple[str, ...] = ()) -> cmd.Context:
    known = units()
    known[EMPLOYER] = replace(known[EMPLOYER], finance_funded=finance_funded)
    return cmd.Context(command_id=uuid4(), actor=Actor(kind="unit_agent", id="hr-1", unit_code=EMPLOYER),
                       channel="unit_portal", now=now, evidence=evidence, units=known)


def staff_member() -> Story:
    story = Story()
    story.then(register(ID))
    story.then(enroll_employee(ID))
    return story


def enrollment_of(story: Story):
    [enrollment] = story.person.open_enrollments()
    return enrollment


@pytest.mark.parametrize(("finance_funded", "last_day"), [(True, 18), (False, 24)])
def test_a_unit_files_up_to_the_last_filing_day_until_midnight_in_beijing(finance_funded, last_day):
    story = staff_member()
    suspend = cmd.Suspend(effective=date(2026, 12, 1), id_number=ID, enrollment_id=enrollment_of(story).id,
                          reason="6301")
    authorise(AGENT, suspend, story.person, agent_context(at(last_day, 23, 59), finance_funded))
    with pytest.raises(NotAuthorised, match=f"days 1–{last_day}"):
        authorise(AGENT, suspend, story.person, agent_context(at(last_day + 1, 0, 0), finance_funded))


def test_the_filing_day_is_beijings_even_when_utc_is_still_on_the_last_filing_day():
    story = staff_member()
    suspend = cmd.Suspend(effective=date(2026, 12, 1), id_number=ID, enrollment_id=enrollment_of(story).id,
                          reason="6301")
    utc_24th_late = datetime(2026, 12, 24, 16, 30, tzinfo=timezone.utc)  # 00:30 on the 25th in Beijing
    assert utc_24th_late.date().day == 24
    with pytest.raises(NotAuthorised):
        authorise(AGENT, suspend, story.person, agent_context(utc_24th_late))
    authorise(AGENT, suspend, story.person, agent_context(utc_24th_late - timedelta(hours=1)))


def test_a_unit_files_a_retirement_only_as_a_request_that_an_office_reviews():
    """Seed 002: 需要医保工作人员审核的业务 — the catalogue marks a retirement filed online for review."""
    story = staff_member()
    retire = cmd.Retire(effective=date(2026, 12, 1), id_number=ID)
    with pytest.raises(NotAuthorised, match="002036001002"):
        authorise(AGENT, retire, story.person, agent_context(at(10), evidence=("退休审批表.pdf",)))
    authorise(AGENT, retire, story.person, agent_context(at(10)), via_request=True)  # its materials are the proof


def test_a_unit_agent_cannot_resume_its_staff_into_another_unit():
    story = staff_member()
    story.then(cmd.Suspend(effective=date(2026, 1, 1), id_number=ID, enrollment_id=enrollment_of(story).id,
                           reason="6301"))
    resume = cmd.Resume(effective=date(2026, 12, 1), id_number=ID, enrollment_id=enrollment_of(story).id,
                        unit_code=EMPLOYER_2)
    with pytest.raises(NotAuthorised, match="own unit") as refusal:
        authorise(AGENT, resume, story.person, agent_context(at(10)))
    assert EMPLOYER_2 not in str(refusal.value)


def test_a_unit_agent_cannot_correct_its_staff_into_another_unit():
    story = staff_member()
    correct = cmd.CorrectEnrollment(effective=date(2026, 12, 1), id_number=ID, enrollment_id=enrollment_of(story).id,
                                    changes={"unit_code": EMPLOYER_2}, reason="录入错误")
    with pytest.raises(NotAuthorised, match="own unit"):
        authorise(AGENT, correct, story.person, agent_context(at(10)))


def test_a_unit_agent_acts_only_on_its_own_staff():
    stranger = staff_member()
    other_agent = Principal("hr-2", "unit_agent", unit_code=EMPLOYER_2)
    suspend = cmd.Suspend(effective=date(2026, 12, 1), id_number=ID, enrollment_id=enrollment_of(stranger).id,
                          reason="6301")
    context = replace(agent_context(at(10)), actor=Actor(kind="unit_agent", id="hr-2", unit_code=EMPLOYER_2))
    with pytest.raises(NotAuthorised, match="own unit's staff"):
        authorise(other_agent, suspend, stranger.person, context)


def test_an_office_acts_only_within_its_region_but_registers_anyone():
    story = staff_member()  # enrolled in 350102, a county of Fuzhou
    xiamen = Principal("clerk-xm", "office", region="350200")
    context = cmd.Context(command_id=uuid4(), actor=Actor(kind="office", id="clerk-xm"), now=at(10))
    with pytest.raises(NotAuthorised, match="outside your region"):
        authorise(xiamen, cmd.Die(effective=date(2026, 12, 1), id_number=ID), story.person, context)
    authorise(xiamen, register(resident_id(seq="777")), Story().person, context)


@pytest.mark.parametrize("role", ["auditor", "analyst"])
def test_readers_change_nothing(role):
    with pytest.raises(NotAuthorised, match="do not change"):
        authorise(Principal("r", role), register(ID), Story().person,
                  cmd.Context(command_id=uuid4(), actor=Actor(kind="office", id="x"), now=at(10)))
