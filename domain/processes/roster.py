"""A person's events, seen from their units' rosters (StaffJoined / StaffLeft).

Derived by comparing open base enrollments before and after, so every command that opens,
closes or moves an enrollment — whatever its kind — keeps the rosters right. Kept on the
unit's stream so that roster rules hold under concurrency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from domain.command import Command, Context
from domain.event import Event
from domain.person.state import Person
from domain.processes import Decided, Effects, Streams
from domain.schemes import is_base
from domain.unit import events as ev
from domain.unit_codes import unit_id


def memberships(person: Person) -> set[tuple[str, UUID]]:
    return {(e.unit_code, e.id) for e in person.open_enrollments() if is_base(e.insurance_type)}


def roster_events(person_id: UUID, before: Person, after: Person, effective: date) -> dict[str, list[Event]]:
    """unit code → StaffJoined / StaffLeft events for that unit's stream."""
    was, now = memberships(before), memberships(after)
    by_unit: dict[str, list[Event]] = defaultdict(list)
    for code, enrollment_id in sorted(was - now, key=str):
        by_unit[code].append(ev.StaffLeft(effective=effective, person_id=person_id, enrollment_id=enrollment_id))
    for code, enrollment_id in sorted(now - was, key=str):
        by_unit[code].append(ev.StaffJoined(effective=effective, person_id=person_id, enrollment_id=enrollment_id))
    return dict(by_unit)


def roster_effects(person_id: UUID, before: Person, after: Person, effective: date) -> Effects:
    return {unit_id(code): events for code, events in roster_events(person_id, before, after, effective).items()}


def keep_rosters(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    """Every person command: the units whose rosters it changed record who joined or left."""
    return roster_effects(decided.stream_id, decided.before, decided.after, command.effective)
