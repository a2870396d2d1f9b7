"""Properties of service requests over any sequence of steps, through the ledger on PostgreSQL:
a request is in exactly one stage, reached by the stages before it in order, and the ledger
records the command it carries if and only if it was completed."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as cmd
from domain.access import NotAuthorised, Principal
from domain.clock import BEIJING
from domain.errors import DomainError
from domain.events import Actor
from domain.requests.state import ACCEPTED, APPLIED, APPROVED, COMPLETED, REJECTED, fold
from tests.support.builders import EMPLOYER, enroll_employee, register, register_unit, resident_id

WHEN = datetime(2026, 12, 7, 10, 0, tzinfo=BEIJING)
AGENT = Principal("hr-1", "unit_agent", unit_code=EMPLOYER)
GULOU = Principal("clerk-gulou", "office", region="350102")
MATERIALS = (cmd.Material(name="职工基本医疗保险参保登记表", sha256="a" * 64, size=1),
             cmd.Material(name="参保人员有效身份证件复印件", sha256="b" * 64, size=1))
# The order a request's stages may be reached in (申请 → 受理 → 审核 → 办结, or 审核不通过).
NEXT = {None: {APPLIED}, APPLIED: {ACCEPTED}, ACCEPTED: {APPROVED, REJECTED}, APPROVED: {COMPLETED}}
persons = count(200)


def context(who: Principal) -> cmd.Context:
    return cmd.Context(command_id=uuid4(), now=WHEN, channel="office" if who.role == "office" else "unit_portal",
                       actor=Actor(kind=who.role, id=who.subject, region=who.region, unit_code=who.unit_code))


STEPS = ["apply_by_unit", "apply_at_counter", "accept", "approve", "reject", "complete"]
# Any order at all, and (so that every run sees both ends) the happy path and the rejection with noise.
steps = st.one_of(
    st.lists(st.sampled_from(STEPS), min_size=1, max_size=7),
    st.tuples(st.sampled_from(["apply_by_unit", "apply_at_counter"]), st.lists(st.sampled_from(STEPS), max_size=2))
    .map(lambda t: [t[0], "accept", *t[1], "approve", "complete", "reject"]),
    st.tuples(st.sampled_from(["apply_by_unit", "apply_at_counter"]), st.lists(st.sampled_from(STEPS), max_size=2))
    .map(lambda t: [t[0], "accept", "reject", *t[1], "approve", "complete"]),
)
seen: list[str] = []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, command=st.sampled_from(["Retire", "Die"]))
def test_a_request_is_in_one_stage_and_its_command_is_recorded_only_when_completed(ledger, steps, command):
    id_number = resident_id(region="350102", born=date(1963, 5, 1), seq=f"{next(persons):03d}")
    setup = context(Principal("clerk-city", "office", region="350100"))
    if not ledger.unit(EMPLOYER).registered:
        ledger.execute(register_unit(), setup)
    for first in (register(id_number), enroll_employee(id_number, effective=date(2010, 1, 1))):
        ledger.execute(first, context(Principal("clerk-city", "office", region="350100")))
    request_id = uuid4()
    by_step = {
        "apply_by_unit": (AGENT, cmd.ApplyForService(request_id=request_id, item_code="002036001002", command=command,
                                                     id_number=id_number, arguments={"effective": "2026-12-01"},
                                                     materials=MATERIALS)),
        "accept": (GULOU, cmd.AcceptRequest(request_id=request_id)),
        "approve": (GULOU, cmd.ApproveRequest(request_id=request_id)),
        "reject": (GULOU, cmd.RejectRequest(request_id=request_id, reason="材料不全")),
        "complete": (GULOU, cmd.CompleteRequest(request_id=request_id)),
    }
    by_step["apply_at_counter"] = (GULOU, by_step["apply_by_unit"][1])
    for step in steps:
        who, command_ = by_step[step]
        try:
            ledger.execute(command_, context(who), who)
        except (DomainError, NotAuthorised):
            pass  # refused: nothing recorded

    request = fold(r.event for r in ledger.request_history(request_id))
    reached = [s.stage for s in request.steps]
    for before, after in zip([None, *reached], reached, strict=False):
        assert after in NEXT.get(before, set()), reached
    assert request.stage == (reached[-1] if reached else "none")
    carried = [r for r in ledger.person_history("01", id_number) if r.meta.cause == request_id]
    assert bool(carried) == (request.stage == COMPLETED)
    assert all(r.event.topic.startswith(("person.", "unit.")) for r in carried)
    seen.append(request.stage)


def test_the_sequences_reach_completion_and_rejection_alike(ledger):
    """The property proves little unless its sequences end both ways. How often each end is reached
    varies with the random draw (2 to 8 completions in 25 were seen; with three each as the bar it
    failed about one run in ten), so the bar is once each."""
    seen.clear()
    test_a_request_is_in_one_stage_and_its_command_is_recorded_only_when_completed(ledger)
    assert seen.count(COMPLETED) >= 1 and seen.count(REJECTED) >= 1, seen
