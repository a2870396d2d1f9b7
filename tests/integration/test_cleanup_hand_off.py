"""The duplicate-cleanup hand-off of seed 001 三(三) as a service request: the resident region's
office confirms with the person and records their choice, hands the request to the office of the
region whose enrollment is to be stopped, which accepts and completes it there; the duplicate set
dissolves and 附件2's "after" count of that region drops by one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain.access import NotAuthorised, Principal
from domain.events import Actor
from projections.catalog import PROJECTIONS
from projections.reports import cleanup_summary
from projections.runner import ProjectionRunner
from tests.support.builders import (
    COMMUNITY,
    EMPLOYER_2,
    enroll_employee,
    enroll_resident,
    register,
    register_unit,
    resident_id,
)

ID = resident_id(region="350102", born=date(1980, 3, 1), seq="191")
GULOU = Principal("clerk-gulou", "office", region="350102")  # the resident region's office: it confirms
XIAMEN = Principal("clerk-siming", "office", region="350203")  # the employee enrollment's region
CONSENT = cmd.Material(name="参保人知情同意书", sha256="f" * 64, size=52_000)
CUT_OFF = date(2019, 12, 31)


def acting(who: Principal) -> cmd.Context:
    return cmd.Context(command_id=uuid4(), now=datetime.now(timezone.utc), channel="office",
                       actor=Actor(kind="office", id=who.subject, region=who.region))


def catch_up(runner: ProjectionRunner) -> None:
    for projection in PROJECTIONS:
        runner.catch_up(projection)


@pytest.fixture
def enrolled_twice(ledger: Ledger):
    """A Gulou resident since 2015 who also took a job in Xiamen in 2016: a cross-scheme set of years."""
    setup = cmd.Context(command_id=uuid4(), now=datetime.now(timezone.utc), channel="office",
                        actor=Actor(kind="office", id="clerk-province", region="350000"))
    for command in (register_unit(COMMUNITY, "08", name="鼓楼社区"),
                    register_unit(EMPLOYER_2, region="350200", name="厦门公司"), register(ID),
                    enroll_resident(ID, effective=date(2015, 1, 1)),
                    enroll_employee(ID, region="350203", effective=date(2016, 1, 1), unit=EMPLOYER_2)):
        ledger.execute(command, replace(setup, command_id=uuid4()))
    [xiamen] = [e for e in ledger.person("01", ID).open_enrollments() if e.region == "350203"]
    return ledger, xiamen.id


def duplicate_sets(ledger: Ledger) -> list[dict]:
    with ledger.store.datastore.get_connection() as conn:
        return conn.execute("SELECT kind, confirming_region FROM duplicate_set d JOIN person_view p "
                            "USING (person_id) WHERE p.id_number = %s", (ID,)).fetchall()


def after_total(ledger: Ledger, region: str, before: datetime, after: datetime) -> int:
    with ledger.store.datastore.get_connection() as conn:
        [row] = [r for r in cleanup_summary(conn, CUT_OFF, before, after) if r["region"] == region]
    return row["after_total"]


def test_a_cross_scheme_set_is_handed_off_to_the_other_regions_office_and_closed_there(enrolled_twice):
    ledger, xiamen_enrollment = enrolled_twice
    runner = ProjectionRunner(ledger.store.datastore)
    catch_up(runner)
    assert duplicate_sets(ledger) == [{"kind": "cross_scheme", "confirming_region": "350102"}]
    t1 = datetime.now(timezone.utc)

    request_id = uuid4()
    handed_off = ledger.execute(cmd.ApplyForService(
        request_id=request_id, item_code="CB-001-0303", command="CorrectEnrollment", id_number=ID,
        arguments={"effective": "2026-12-07", "enrollment_id": str(xiamen_enrollment), "changes.end": "2017-06-30",
                   "reason": "跨制度重复参保清理：参保人选择保留居民医保"},
        materials=(CONSENT,), note="2026-12-03 电话联系本人：2017年6月已离职，同意停止厦门职工医保"),
        acting(GULOU), GULOU).events
    assert [r.event.topic for r in handed_off] == ["request.applied"], "sent on, not accepted by the confirming office"
    assert handed_off[0].event.region == "350203"
    with pytest.raises(NotAuthorised):  # acceptance and completion belong to the cleaning region (its city)
        ledger.execute(cmd.AcceptRequest(request_id=request_id), acting(GULOU), GULOU)

    ledger.execute(cmd.AcceptRequest(request_id=request_id), acting(XIAMEN), XIAMEN)
    closed = ledger.execute(cmd.CompleteRequest(request_id=request_id), acting(XIAMEN), XIAMEN).events
    [corrected] = [r for r in closed if r.event.topic.startswith("person.")]
    assert corrected.meta.cause == request_id and corrected.meta.service_item == "CB-001-0303"
    assert f"参保人知情同意书 sha256:{'f' * 64}" in corrected.meta.evidence

    catch_up(runner)
    t2 = datetime.now(timezone.utc)
    assert duplicate_sets(ledger) == [], "the set dissolves"
    assert after_total(ledger, "350203", t1, t2) == after_total(ledger, "350203", t1, t1) - 1
    assert after_total(ledger, "350102", t1, t2) == after_total(ledger, "350102", t1, t1)


def test_an_office_of_none_of_the_persons_regions_may_not_hand_off(enrolled_twice):
    ledger, xiamen_enrollment = enrolled_twice
    hangzhou = Principal("clerk-xihu", "office", region="330106")
    with pytest.raises(NotAuthorised):
        ledger.execute(cmd.ApplyForService(
            request_id=uuid4(), item_code="CB-001-0303", command="CorrectEnrollment", id_number=ID,
            arguments={"effective": "2026-12-07", "enrollment_id": str(xiamen_enrollment),
                       "changes.end": "2017-06-30", "reason": "清理"}, materials=(CONSENT,)),
            acting(hangzhou), hangzhou)


def test_a_duplicate_set_names_its_person_as_person_view_does_and_follows_a_corrected_name(enrolled_twice):
    ledger, _ = enrolled_twice
    runner = ProjectionRunner(ledger.store.datastore)
    catch_up(runner)
    ledger.execute(cmd.CorrectBaseInfo(effective=date(2026, 11, 1), id_number=ID, changes={"name": "更正后"}),
                   acting(GULOU))
    catch_up(runner)
    with ledger.store.datastore.get_connection() as conn:
        kept = conn.execute("SELECT d.id_number, d.name FROM duplicate_set d WHERE d.person_id = "
                            "(SELECT person_id FROM person_view WHERE id_number = %s)", (ID,)).fetchall()
        shown = conn.execute("SELECT id_number, name FROM person_view WHERE id_number = %s", (ID,)).fetchall()
    assert kept == shown == [{"id_number": ID, "name": "更正后"}]
