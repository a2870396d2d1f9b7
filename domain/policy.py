"""Who may send which command, decided on the state loaded for the command itself.

Offices may send every command for their region (any office registers a person:
一体化通办); a unit agent files through the unit service hall only what a command's
`channels` allow, on the unit's filing days (seed 002: 1–18 for finance-funded units, 1–24
for others), with proof where the command needs it, and only for its own unit and staff —
the unit a command names as its target included; a person corrects only what their
command allows of their own record. Auditors and analysts read; they change nothing.
"""

from __future__ import annotations

from typing import Any

from domain.access import NotAuthorised, Principal, may_see_person
from domain.command import PERSON_PORTAL, UNIT_PORTAL, Command, Context
from domain.person.commands import Enroll, PersonCommand, RegisterPerson
from domain.person.state import Person
from domain.unit.commands import UnitCommand
from domain.unit.state import Unit

CHANNEL_OF = {"office": "office", "unit_agent": UNIT_PORTAL, "person": PERSON_PORTAL}


def authorise(who: Principal, command: Command, subject: Any, ctx: Context) -> None:
    """Refuse (NotAuthorised) unless `who` may send `command` about `subject`, the state of
    the aggregate it is addressed to, as loaded in the command's own transaction."""
    if who.role in ("auditor", "analyst"):
        raise NotAuthorised(f"{who.role}s read the ledger; they do not change it")
    if who.role == "person":
        _person(who, command, subject)
    elif who.role == "unit_agent":
        _unit_agent(who, command, subject, ctx)
    else:
        _office(who, command, subject, ctx)


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


def _unit_agent(who: Principal, command: Command, subject: Any, ctx: Context) -> None:
    if UNIT_PORTAL not in command.channels:
        raise NotAuthorised("this service is not offered through the unit channel; apply at an office")
    unit = ctx.units.get(who.unit_code or "") or Unit()
    if ctx.today.day not in unit.filing_days():
        last = unit.filing_days()[-1]
        raise NotAuthorised(f"the unit channel takes filings on days 1–{last} of each month (seed 002)")
    if command.needs_proof and not ctx.evidence:
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
