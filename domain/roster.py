"""What a person's events mean for their units' rosters.

Derived by comparing open base enrollments before and after, so every command that opens,
closes or moves an enrollment — whatever its kind — keeps the rosters right.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from domain import events as ev
from domain.person_state import Person
from domain.schemes import is_base


def memberships(person: Person) -> set[tuple[str, UUID]]:
    return {(e.unit_code, e.id) for e in person.open_enrollments() if is_base(e.insurance_type)}


def roster_events(person_id: UUID, before: Person, after: Person, effective) -> dict[str, list[ev.Event]]:
    """unit code → StaffJoined / StaffLeft events for that unit's stream."""
    was, now = memberships(before), memberships(after)
    by_unit: dict[str, list[ev.Event]] = defaultdict(list)
    for code, enrollment_id in sorted(was - now, key=str):
        by_unit[code].append(ev.StaffLeft(effective=effective, person_id=person_id, enrollment_id=enrollment_id))
    for code, enrollment_id in sorted(now - was, key=str):
        by_unit[code].append(ev.StaffJoined(effective=effective, person_id=person_id, enrollment_id=enrollment_id))
    return dict(by_unit)
