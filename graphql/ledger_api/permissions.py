"""Which persons and units a principal may see: one place for every query and mutation."""

from __future__ import annotations

from domain.access import SEE_PERSONS, NotAuthorised, Principal, may_see_person
from domain.id_numbers import mask
from domain.person.state import Person


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
