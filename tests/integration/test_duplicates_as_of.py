"""Duplicate sets belong to the dates both enrollments were in force on, as known at a system
time — the cut-off of the cleanup "before" and "after" (issue 16, point 9)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from application.service import Ledger
from domain import commands as cmd
from projections.catalog import PROJECTIONS
from projections.duplicates_as_of import duplicate_sets_as_of
from projections.runner import ProjectionRunner
from tests.support.builders import (
    COMMUNITY,
    ctx,
    enroll_employee,
    enroll_resident,
    register,
    register_unit,
    resident_id,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
ID = resident_id(seq="501")


def sets_on(store, day: date, known_at: datetime) -> list[dict]:
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    with store.datastore.get_connection() as conn:
        return duplicate_sets_as_of(conn, None, "", None, 50, day, known_at)


def test_a_set_is_listed_on_the_days_both_enrollments_were_in_force_as_known_then(store):
    ledger = Ledger(store)
    ledger.execute(register_unit(), ctx(now=T0))
    ledger.execute(register_unit(COMMUNITY, "08", name="社区"), ctx(now=T0))
    ledger.execute(register(ID), ctx(now=T0))
    employed = ledger.execute(enroll_employee(ID, effective=date(2018, 1, 1)), ctx(now=T0))
    ledger.execute(enroll_resident(ID, effective=date(2019, 3, 1)), ctx(now=T0 + timedelta(days=1)))
    [employee_id] = [r.event.enrollment_id for r in employed.events if r.event.topic == "person.enrolled"]
    ledger.execute(cmd.Terminate(effective=date(2020, 6, 1), id_number=ID, enrollment_id=employee_id,
                                 reason="6499"), ctx(now=T0 + timedelta(days=2)))
    now = T0 + timedelta(days=3)

    assert sets_on(store, date(2019, 1, 1), now) == []  # before the resident enrollment began
    [on_cut_off] = sets_on(store, date(2019, 12, 31), now)  # open at the cut-off, ended later: listed
    assert on_cut_off["kind"] == "cross_scheme" and on_cut_off["overlap_from"] == date(2019, 3, 1)
    assert sets_on(store, date(2020, 7, 1), now) == []  # after it ended
    assert sets_on(store, date(2019, 12, 31), T0 + timedelta(hours=12)) == []  # not yet known then


def test_a_retirement_inside_the_overlap_does_not_restart_it_on_any_date(store):
    ledger = Ledger(store)
    ledger.execute(register_unit(), ctx(now=T0))
    ledger.execute(register_unit(COMMUNITY, "08", name="社区"), ctx(now=T0))
    number = resident_id(seq="503")
    ledger.execute(register(number), ctx(now=T0))
    ledger.execute(enroll_employee(number, effective=date(2015, 1, 1)), ctx(now=T0))
    ledger.execute(enroll_resident(number, effective=date(2019, 3, 1)), ctx(now=T0))
    ledger.execute(cmd.Retire(effective=date(2019, 6, 1), id_number=number), ctx(now=T0))
    [the_set] = sets_on(store, date(2019, 12, 31), T0 + timedelta(days=1))
    assert the_set["overlap_from"] == date(2019, 3, 1)


def test_the_cleanup_list_as_of_the_cut_off_shows_a_set_that_ended_later_with_its_period_then(store):
    from projections.reports import duplicate_list

    ledger = Ledger(store)
    ledger.execute(register_unit(), ctx(now=T0))
    ledger.execute(register_unit(COMMUNITY, "08", name="社区"), ctx(now=T0))
    number = resident_id(seq="505")
    ledger.execute(register(number), ctx(now=T0))
    employed = ledger.execute(enroll_employee(number, effective=date(2018, 1, 1)), ctx(now=T0))
    ledger.execute(enroll_resident(number, effective=date(2019, 3, 1)), ctx(now=T0))
    [employee_id] = [r.event.enrollment_id for r in employed.events if r.event.topic == "person.enrolled"]
    ledger.execute(cmd.Terminate(effective=date(2020, 6, 1), id_number=number, enrollment_id=employee_id,
                                 reason="6499"), ctx(now=T0))
    sets_on(store, date(2019, 12, 31), T0 + timedelta(days=1))  # brings the projections up to date
    with store.datastore.get_connection() as conn:
        lines = duplicate_list(conn, "cross", date(2019, 12, 31), T0 + timedelta(days=1))
        later = duplicate_list(conn, "cross", date(2020, 7, 1), T0 + timedelta(days=1))
    assert [(line[0], line[4]) for line in lines] == [("350102", "201801-202005"), ("350102", "201903-")]
    assert later == []
