"""May this principal send this command? Checked before anything is decided or written."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import commands as cmd
from domain.person_state import Person
from ledger_api.auth import NotAuthorised, Principal
from ledger_api.scope import may_see_person

UNIT_CHANNEL = (cmd.RegisterPerson, cmd.Enroll, cmd.Suspend, cmd.Resume, cmd.Terminate, cmd.Retire, cmd.Die,
                cmd.CorrectBaseInfo, cmd.CorrectEnrollment, cmd.ChangeUnitInfo, cmd.ConfirmUnitData)
NEEDS_PROOF = (cmd.Retire, cmd.Die)  # seed 002: death and retirement need uploaded proof
PERSON_MAY_CORRECT = {"phone", "address"}


def authorise(who: Principal, command: cmd.Command, evidence: tuple[str, ...], ledger: Any, today: date) -> None:
    if who.role in ("auditor", "analyst"):
        raise NotAuthorised(f"{who.role}s read the ledger; they do not change it")
    if who.role == "person":
        _person(who, command, ledger)
    elif who.role == "unit_agent":
        _unit_agent(who, command, evidence, ledger, today)
    else:
        _office(who, command, ledger)


def _person_of(command: cmd.PersonCommand, ledger: Any) -> Person:
    return ledger.person(command.certificate_type, command.id_number)


def _person(who: Principal, command: cmd.Command, ledger: Any) -> None:
    if not (isinstance(command, cmd.CorrectBaseInfo) and set(command.changes) <= PERSON_MAY_CORRECT):
        raise NotAuthorised("a person may only correct their own phone and address")
    if not may_see_person(who, _person_of(command, ledger)):
        raise NotAuthorised("a person may only correct their own record")


def _unit_agent(who: Principal, command: cmd.Command, evidence: tuple[str, ...], ledger: Any, today: date) -> None:
    if not isinstance(command, UNIT_CHANNEL):
        raise NotAuthorised("this service is not offered through the unit channel; apply at an office")
    unit = ledger.unit(who.unit_code)
    if today.day not in unit.filing_days():
        last = unit.filing_days()[-1]
        raise NotAuthorised(f"the unit channel takes filings on days 1–{last} of each month (seed 002)")
    if isinstance(command, NEEDS_PROOF) and not evidence:
        raise NotAuthorised("death and retirement filed by a unit need uploaded proof (evidence)")
    if isinstance(command, cmd.UnitCommand):
        if command.unit_code.strip().upper() != who.unit_code:
            raise NotAuthorised("a unit agent acts only for their own unit")
        return
    if isinstance(command, cmd.Enroll) and command.unit_code.strip().upper() != who.unit_code:
        raise NotAuthorised("a unit agent enrolls staff only into their own unit")
    if isinstance(command, cmd.RegisterPerson | cmd.Enroll):
        return
    person = _person_of(command, ledger)  # type: ignore[arg-type]
    enrollment_id = getattr(command, "enrollment_id", None)
    staff = [e for e in person.open_enrollments() if e.unit_code == who.unit_code]
    if not staff or (enrollment_id and enrollment_id not in {e.id for e in staff}):
        raise NotAuthorised("a unit agent acts only on their own unit's staff")


def _office(who: Principal, command: cmd.Command, ledger: Any) -> None:
    if isinstance(command, cmd.RegisterUnit | cmd.OpenCampaign | cmd.Enroll | cmd.TransferIn):
        region = command.region
    elif isinstance(command, cmd.MergeUnit):
        region = ledger.unit(command.unit_code).region
        if not who.covers_region(ledger.unit(command.successor_code).region):
            raise NotAuthorised("the successor unit is outside your region")
    elif isinstance(command, cmd.UnitCommand):
        region = ledger.unit(command.unit_code).region
    elif isinstance(command, cmd.RegisterPerson | cmd.ImportLegacyEnrollment):
        return  # any office registers a person (一体化通办); enrolling them is region-scoped
    else:
        person = _person_of(command, ledger)  # type: ignore[arg-type]
        if not may_see_person(who, person):
            raise NotAuthorised("this person is outside your region")
        return
    if not who.covers_region(region):
        raise NotAuthorised(f"region {region or '(unknown)'} is outside your region {who.region}")
