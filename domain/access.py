"""Who is asking, and which persons and units they may see.

Roles (users of the ledger):
- office: an insurance office's clerk, scoped to a region (a city code covers its counties);
- unit_agent: a unit's agent, scoped to that unit and its staff;
- person: an insured person, scoped to themself;
- auditor: reads everything, history included, changes nothing;
- analyst: reads the read models with ID numbers masked, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.id_numbers import person_id
from domain.person.state import Person

Role = Literal["office", "unit_agent", "person", "auditor", "analyst"]
ROLES: tuple[Role, ...] = ("office", "unit_agent", "person", "auditor", "analyst")
SEE_PERSONS = ("office", "unit_agent", "person", "auditor")


class NotAuthorised(Exception):
    """The caller may not do or see this; the message says why without revealing data."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    region: str | None = None  # office
    unit_code: str | None = None  # unit agent
    id_number: str | None = None  # person

    @property
    def region_prefix(self) -> str:
        """The code prefix an office's region covers: 350100 → 3501, 350000 → 35."""
        region = self.region or ""
        if region.endswith("0000"):
            return region[:2]
        if region.endswith("00"):
            return region[:4]
        return region

    def covers_region(self, region: str | None) -> bool:
        return bool(region) and str(region).startswith(self.region_prefix)

    @property
    def masks_id_numbers(self) -> bool:
        return self.role == "analyst"


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
