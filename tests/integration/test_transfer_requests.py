"""A transfer between Fuzhou (Fujian) and Hangzhou (Zhejiang) carried through every step of
seed 003 item 11 as two linked requests, each deadline checked against a count by hand over
the 2026 National Day week (1–7 October off, Saturday 10 October a working day: 调休)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain.access import NotAuthorised, Principal
from domain.clock import BEIJING
from domain.errors import DomainError
from domain.events import Actor
from domain.requests.catalogue import catalogue
from domain.requests.deadlines import due
from domain.requests.state import fold
from domain.working_days import add_working_days
from tests.support.builders import EMPLOYER, enroll_employee, register, register_unit, resident_id

ID = resident_id(region="350102", born=date(1985, 6, 1), seq="171")
FUZHOU = Principal("clerk-gulou", "office", region="350102")  # the region it leaves
HANGZHOU = Principal("clerk-xihu", "office", region="330106")  # the region it joins


def on(day: date, who: Principal) -> cmd.Context:
    return cmd.Context(command_id=uuid4(), now=datetime.combine(day, datetime.min.time(), BEIJING).replace(hour=10),
                       channel="office", actor=Actor(kind="office", id=who.subject, region=who.region))


def step(ledger: Ledger, day: date, who: Principal, command: cmd.Command):
    return ledger.execute(command, on(day, who), who).events


def due_on(ledger: Ledger, request_id) -> date:
    deadline = due(fold(r.event for r in ledger.request_history(request_id)), catalogue())
    assert deadline is not None and not deadline.provisional
    return deadline.due


@pytest.fixture
def insured_in_fuzhou(ledger: Ledger):
    setup = cmd.Context(command_id=uuid4(), now=datetime(2026, 9, 1, tzinfo=BEIJING), channel="office",
                        actor=Actor(kind="office", id="clerk", region="350100"))
    for command in (register_unit(), register(ID), enroll_employee(ID, effective=date(2015, 1, 1))):
        ledger.execute(command, setup.__class__(**{**setup.__dict__, "command_id": uuid4()}))
    [enrollment] = ledger.person("01", ID).open_enrollments()
    return ledger, enrollment.id


def accepted_in_hangzhou(ledger: Ledger, item_code: str = "002036003002") -> UUID:
    """Wednesday 30 September: Hangzhou's office accepts the application (with the 参保凭证) at its counter."""
    joining = uuid4()
    materials = tuple(cmd.Material(name=name, sha256="e" * 64, size=1)
                      for name in catalogue().item(item_code).materials)
    step(ledger, date(2026, 9, 30), HANGZHOU, cmd.ApplyForService(
        request_id=joining, item_code=item_code, command="TransferIn", id_number=ID, materials=materials,
        arguments={"effective": "2026-11-01", "insurance_type": "310", "region": "330106", "unit_code": EMPLOYER,
                   "person_type": "1101"}))
    return joining


def test_a_transfer_between_provinces_through_every_step_with_each_deadline_counted_by_hand(insured_in_fuzhou):
    ledger, enrollment_id = insured_in_fuzhou
    joining = accepted_in_hangzhou(ledger)
    # The letter within 5 working days: 8, 9, 10 (the 调休 Saturday), 12, 13 October.
    assert due_on(ledger, joining) == date(2026, 10, 13)

    step(ledger, date(2026, 10, 9), HANGZHOU, cmd.ApproveRequest(request_id=joining))
    with pytest.raises(DomainError, match="request.waiting_for_sheet"):  # nothing has left Fuzhou yet
        step(ledger, date(2026, 10, 9), HANGZHOU, cmd.CompleteRequest(request_id=joining))
    letter = step(ledger, date(2026, 10, 13), HANGZHOU, cmd.IssueContactLetter(
        request_id=joining, enrollment_id=enrollment_id, direction="11"))
    [leaving] = {e.event.request_id for e in letter if e.event.topic == "request.applied"}
    leaving_request = fold(r.event for r in ledger.request_history(leaving))
    assert (leaving_request.region, leaving_request.linked_request, leaving_request.command) == (
        "350102", joining, "TransferOut")
    # Fuzhou issues the sheet within 10 working days of the letter: 14, 15, 16, 19–23, 26, 27 October.
    assert due_on(ledger, leaving) == date(2026, 10, 27)
    assert due_on(ledger, joining) == date(2026, 10, 27)  # the destination waits on the same step

    with pytest.raises(NotAuthorised, match="insured region 350102"):
        step(ledger, date(2026, 10, 20), HANGZHOU, cmd.ApproveRequest(request_id=leaving))
    step(ledger, date(2026, 10, 20), FUZHOU, cmd.ApproveRequest(request_id=leaving))
    sent = step(ledger, date(2026, 10, 20), FUZHOU, cmd.CompleteRequest(request_id=leaving))
    assert "person.transferred_out" in [r.event.topic for r in sent]
    assert "request.information_sheet_received" in [r.event.topic for r in sent]
    # Hangzhou completes within 5 working days of the sheet: 21, 22, 23, 26, 27 October.
    assert due_on(ledger, joining) == date(2026, 10, 27)

    done = step(ledger, date(2026, 10, 22), HANGZHOU, cmd.CompleteRequest(request_id=joining))
    assert "person.enrolled" in [r.event.topic for r in done]
    [arrived] = [e for e in ledger.person("01", ID).open_enrollments() if e.region == "330106"]
    assert arrived.unit_code == EMPLOYER
    assert {r.meta.cause for r in done} == {joining}
    # The whole transfer within the item's 20 working days of acceptance (due 3 November).
    assert add_working_days(date(2026, 9, 30), 20).due == date(2026, 11, 3)


def test_a_contact_letter_names_an_open_enrollment_of_the_person(insured_in_fuzhou):
    ledger, _ = insured_in_fuzhou
    joining = accepted_in_hangzhou(ledger)
    with pytest.raises(DomainError, match="transfer.unknown_enrollment"):
        step(ledger, date(2026, 10, 8), HANGZHOU, cmd.IssueContactLetter(
            request_id=joining, enrollment_id=uuid4(), direction="11"))


def test_under_seed_004s_item_the_leaving_region_has_15_working_days_from_the_letter(insured_in_fuzhou):
    ledger, enrollment_id = insured_in_fuzhou
    joining = accepted_in_hangzhou(ledger, "JC-004-03")
    letter = step(ledger, date(2026, 10, 13), HANGZHOU, cmd.IssueContactLetter(
        request_id=joining, enrollment_id=enrollment_id, direction="11"))
    [leaving] = {e.event.request_id for e in letter if e.event.topic == "request.applied"}
    # 14, 15, 16, 19–23, 26–30 October, 2 and 3 November: the 15th working day after the letter.
    assert due_on(ledger, leaving) == date(2026, 11, 3)
