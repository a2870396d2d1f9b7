"""Who may send which command, decided on the state loaded for the command itself.

Offices may send every command for their region (any office registers a person:
一体化通办); a unit agent files through the unit service hall only what a command's
`channels` allow, on the unit's filing days (seed 002: 1–18 for finance-funded units, 1–24
for others), with proof where the command needs it, and only for its own unit and staff —
the unit a command names as its target included; a person corrects only what their
command allows of their own record. Auditors and analysts read; they change nothing.

Service requests (seed 004 一体化通办): any office of the city accepts; review and completion
belong to the office of the insured region; online, an applicant requests only what they may
file themselves, and what the catalogue marks for review waits for an office (seed 002).
"""

from __future__ import annotations

from typing import Any

from domain.access import NotAuthorised, Principal, may_see_person
from domain.command import PERSON_PORTAL, UNIT_PORTAL, Command, Context
from domain.person.commands import Enroll, PersonCommand, RegisterPerson
from domain.person.state import Person
from domain.requests.catalogue import catalogue
from domain.requests.commands import AcceptRequest, ApplyForService, RequestCommand
from domain.requests.state import NONE, ServiceRequest
from domain.unit.commands import UnitCommand
from domain.unit.state import Unit

CHANNEL_OF = {"office": "office", "unit_agent": UNIT_PORTAL, "person": PERSON_PORTAL}


def authorise(who: Principal, command: Command, subject: Any, ctx: Context, via_request: bool = False) -> None:
    """Refuse (NotAuthorised) unless `who` may send `command` about `subject`, the state of
    the aggregate it is addressed to, as loaded in the command's own transaction.
    `via_request`: the command is carried by a service request `who` applies for."""
    if who.role in ("auditor", "analyst"):
        raise NotAuthorised(f"{who.role}s read the ledger; they do not change it")
    if isinstance(command, RequestCommand):
        _request(who, command, subject, ctx)
    elif who.role == "person":
        _person(who, command, subject)
    elif who.role == "unit_agent":
        _unit_agent(who, command, subject, ctx, via_request)
    else:
        _office(who, command, subject, ctx)


def _same_city(who: Principal, region: str) -> bool:
    """Any office of the city may accept any item (seed 004: 全市任一医保经办机构窗口)."""
    return who.covers_region(region) or (bool(who.region) and (who.region or "")[:4] == region[:4])


def _request(who: Principal, command: RequestCommand, request: ServiceRequest, ctx: Context) -> None:
    carried = ctx.carried
    if isinstance(command, ApplyForService):
        assert carried is not None, "the application gives a request's carried command"
        if who.role == "office":
            if catalogue().item(command.item_code).hand_off:
                # The confirming office (seed 001 三(三)): one of the person's regions, handing off to another.
                if not (isinstance(carried.subject, Person) and may_see_person(who, carried.subject)):
                    raise NotAuthorised("only an office of one of the person's regions confirms and hands off")
            elif not _same_city(who, carried.region):
                raise NotAuthorised(f"an office accepts applications of its own city; {carried.region} is not")
            return
        # Online, an applicant asks only what they could file themselves; the review is the request's.
        authorise(who, carried.command, carried.subject, ctx, via_request=True)
        return
    if who.role != "office":
        raise NotAuthorised("insurance offices accept, review and complete requests")
    if request.stage == NONE:
        return  # no such request: its decider says so
    if isinstance(command, AcceptRequest):
        if not _same_city(who, request.region):
            raise NotAuthorised("any office of the city may accept a request; this one is of another city")
    elif not who.covers_region(request.region):
        raise NotAuthorised(f"review and completion belong to the office of the insured region {request.region}")


def _person(who: Principal, command: Command, subject: Any) -> None:
    allowed: frozenset[str] = getattr(command, "self_service_fields", frozenset())
    changes = getattr(command, "changes", {})
    if PERSON_PORTAL not in command.channels or not set(changes) <= allowed:
        raise NotAuthorised("a person may only correct their own phone and address")
    if not (isinstance(subject, Person) and may_see_person(who, subject)):
        raise NotAuthorised("a person may only correct their own record")


def named_units(command: Command) -> set[str]:
    """The units a command names as its target: its unit code, a successor, a corrected unit."""
    codes = {getattr(command, name, None) for name in ("unit_code", "successor_code")}
    codes.add(getattr(command, "changes", {}).get("unit_code"))
    return {str(c).strip().upper() for c in codes if c}


def _unit_agent(who: Principal, command: Command, subject: Any, ctx: Context, via_request: bool = False) -> None:
    if UNIT_PORTAL not in command.channels:
        raise NotAuthorised("this service is not offered through the unit channel; apply at an office")
    reviewing = catalogue().item_reviewing(type(command).__name__)
    if reviewing and not via_request:
        raise NotAuthorised(f"{type(command).__name__} filed by a unit waits for an office's review (seed 002): "
                            f"apply for service item {reviewing.code} {reviewing.name} (applyForService)")
    unit = ctx.units.get(who.unit_code or "") or Unit()
    if ctx.today.day not in unit.filing_days():
        last = unit.filing_days()[-1]
        raise NotAuthorised(f"the unit channel takes filings on days 1–{last} of each month (seed 002)")
    if command.needs_proof and not ctx.evidence and not via_request:  # a request's materials are its proof
        raise NotAuthorised("death and retirement filed by a unit need uploaded proof (evidence)")
    if named_units(command) - {who.unit_code}:
        raise NotAuthorised("a unit agent acts only for their own unit")
    if isinstance(command, UnitCommand | RegisterPerson | Enroll):
        return
    enrollment_id = getattr(command, "enrollment_id", None)
    staff = [e for e in subject.open_enrollments() if e.unit_code == who.unit_code] \
        if isinstance(subject, Person) else []
    if not staff or (enrollment_id and enrollment_id not in {e.id for e in staff}):
        raise NotAuthorised("a unit agent acts only on their own unit's staff")


def _office(who: Principal, command: Command, subject: Any, ctx: Context) -> None:
    region = getattr(command, "region", None)
    if region is None and isinstance(subject, Unit):
        region = subject.region
        for code in named_units(command) - {subject.unit_code}:
            if not who.covers_region((ctx.units.get(code) or Unit()).region):
                raise NotAuthorised("the successor unit is outside your region")
    if isinstance(command, RegisterPerson):
        return  # any office registers a person (一体化通办); enrolling them is region-scoped
    if region is None and isinstance(command, PersonCommand):
        if isinstance(subject, Person) and not may_see_person(who, subject):
            raise NotAuthorised("this person is outside your region")
        return
    if not who.covers_region(region):
        raise NotAuthorised(f"region {region or '(unknown)'} is outside your region {who.region}")
