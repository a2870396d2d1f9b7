"""Bitemporal answers for one person: state as of valid date D, as known at system time T.

Fold the events recorded at or before T (system time), then read the enrollment spells
at D (valid time). With T = now and D = today this is the current state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.events import Event, Meta
from domain.person.evolve import fold
from domain.person.state import TERMINATED, Person


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: its stream position, the fact and its provenance."""

    stream_id: UUID
    version: int
    event: Event
    meta: Meta

    @property
    def recorded_at(self) -> datetime:
        return self.meta.recorded_at


@dataclass(frozen=True)
class Spell:
    """A stretch of valid time over which an enrollment had one status."""

    enrollment_id: UUID
    insurance_type: str
    region: str
    pooling_region: str
    unit_code: str
    person_type: str
    status: str
    valid_from: date
    valid_to: date | None  # exclusive; None while it lasts


def known_at(history: Iterable[RecordedEvent], system_time: datetime | None) -> list[Event]:
    return [r.event for r in history if system_time is None or r.recorded_at <= system_time]


def state_known_at(history: Sequence[RecordedEvent], system_time: datetime | None = None) -> Person:
    return fold(known_at(history, system_time))


def spells(person: Person) -> list[Spell]:
    out = []
    for e in person.enrollments.values():
        for period, following in zip(e.periods, (*e.periods[1:], None), strict=True):
            if period.status == TERMINATED:
                continue
            end = following.effective if following else None
            if end is not None and end <= period.effective:
                continue  # a period that lasted no time
            out.append(Spell(e.id, e.insurance_type, e.region, e.pooling_region, period.unit_code,
                             period.person_type, period.status, period.effective, end))
    return sorted(out, key=lambda s: (s.valid_from, s.insurance_type, s.region))


def snapshot(history: Sequence[RecordedEvent], as_of: date, system_time: datetime | None = None) -> list[Spell]:
    """Enrollments in force or suspended on `as_of`, as the ledger knew them at `system_time`."""
    return [s for s in spells(state_known_at(history, system_time))
            if s.valid_from <= as_of and (s.valid_to is None or as_of < s.valid_to)]
