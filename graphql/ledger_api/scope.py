"""Which persons and units a principal may see: one place for every query and mutation."""

from __future__ import annotations

from domain.id_numbers import mask, person_id
from domain.person_state import Person
from ledger_api.auth import NotAuthorised, Principal

SEE_PERSONS = ("office", "unit_agent", "person", "auditor")


def may_see_person(who: Principal, person: Person) -> bool:
    if who.role == "auditor":
        return True
    if who.role == "person":
        return person.registered and who.id_number is not None and \
            person_id("01", who.id_number) == person_id(person.certificate_type, person.id_number)
    if who.role == "unit_agent":
        return any(e.unit_code == who.unit_code for e in person.open_enrollments())
    if who.role == "office":
        regions = {e.region for e in person.enrollments.values()} | {person.household_region}
        return not person.enrollments or any(who.covers_region(r) for r in regions)
    return False


def require_person(who: Principal, person: Person) -> None:
    if who.role not in SEE_PERSONS or not may_see_person(who, person):
        raise NotAuthorised("this person is outside your scope")


def require_unit(who: Principal, unit_code: str, unit_region: str | None) -> None:
    if who.role in ("auditor", "analyst"):
        return
    if who.role == "unit_agent" and who.unit_code == unit_code:
        return
    if who.role == "office" and who.covers_region(unit_region):
        return
    raise NotAuthorised("this unit is outside your scope")


def region_scope(who: Principal, requested: str | None) -> str:
    """The region prefix a cohort query may cover: an office's own region at most."""
    if who.role in ("auditor", "analyst"):
        return requested or ""
    if who.role == "office":
        if requested and requested.startswith(who.region_prefix):
            return requested
        if requested:
            raise NotAuthorised(f"region {requested} is outside your region {who.region}")
        return who.region_prefix
    raise NotAuthorised("cohort lists are for offices, auditors and analysts")


def shown_id(who: Principal, number: str) -> str:
    return mask(number) if who.masks_id_numbers else number
