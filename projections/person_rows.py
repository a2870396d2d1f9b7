"""The rows one person's history contributes to each read model. Pure: history in, rows out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, Generic, TypeVar
from uuid import UUID

from domain import events as ev
from domain.id_numbers import RESIDENT_ID
from domain.person.evolve import evolve, fold
from domain.person.state import Person
from domain.schemes import counted_enrolled, scheme_of
from domain.timeline import RecordedEvent, Spell, spells

Row = tuple
T = TypeVar("T")
K = TypeVar("K")


class once(Generic[T]):  # noqa: N801 — used as a decorator, like functools.cached_property
    """functools.cached_property without its per-instance lock (Python 3.11 takes one on every
    first read; 3.12 dropped it): a rebuild reads four such values of every stream once."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute, self.name = compute, compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True)
class StreamHistory:
    """One stream's events up to a position, with its person state folded once and shared."""

    stream_id: UUID
    history: Sequence[RecordedEvent]
    unreadable: str | None = None  # why a stored row of it does not decode (then history is empty)
    stored_kind: str = ""  # its topic prefix, for an unreadable stream

    @property
    def person_id(self) -> UUID:
        return self.stream_id

    @once
    def kind(self) -> str:
        """"person", "unit", "request" or "campaign": the topic prefix of its events."""
        return self.history[0].event.topic.split(".", 1)[0] if self.history else self.stored_kind

    @once
    def believed(self) -> list[tuple[datetime, list[Spell], Person]]:
        """(system time, spells believed from then on, state) for each distinct recording time."""
        return _believed(self.history)

    @once
    def state(self) -> Person:
        return self.believed[-1][2] if self.history else Person()

    @once
    def spells_now(self) -> list[Spell]:
        return self.believed[-1][1] if self.history else []


def person_view_rows(p: StreamHistory) -> list[Row]:
    s = p.state
    if not s.registered:
        return []
    local = next((r.event.local_person_number for r in reversed(p.history)
                  if isinstance(r.event, ev.LegacyEnrollmentImported) and r.event.local_person_number), None)
    return [(p.person_id, s.certificate_type, s.id_number, s.name, s.gender, s.birth_date, s.survival_status,
             s.civil_servant, s.phone, s.household_region, s.legacy_id_number, s.merged_into, local, s.address)]


def local_numbers(p: StreamHistory) -> dict[UUID, str]:
    """enrollment id → the 人员编号 its region's legacy system gave the person."""
    return {r.event.enrollment_id: r.event.local_person_number for r in p.history
            if isinstance(r.event, ev.LegacyEnrollmentImported) and r.event.local_person_number}


def current_enrollment_rows(p: StreamHistory) -> list[Row]:
    numbers = local_numbers(p)
    return [(e.id, p.person_id, e.insurance_type, scheme_of(e.insurance_type), e.region, e.pooling_region, e.status,
             e.person_type, e.unit_code, e.start, e.last_change, e.imported, numbers.get(e.id))
            for e in p.state.open_enrollments()]


def fake_removal_rows(p: StreamHistory) -> list[Row]:
    return [(p.person_id, r.event.enrollment_id, r.recorded_at) for r in p.history
            if isinstance(r.event, ev.FakeEnrollmentRemoved)]


def contribution_month_rows(p: StreamHistory) -> list[Row]:
    return [(p.person_id, c.month, c.insurance_type, c.region, c.unit_code, c.base, c.unit_amount, c.personal_amount,
             c.paid_on) for c in p.state.contributions.values()]


def _believed(history: Sequence[RecordedEvent]) -> list[tuple[datetime, list[Spell], Person]]:
    times = sorted({r.recorded_at for r in history})
    in_order = all(a.recorded_at <= b.recorded_at for a, b in pairwise(history))
    out, state, done = [], Person(), 0
    for t in times:
        if in_order:  # the usual case: fold on from where the previous time left off
            while done < len(history) and history[done].recorded_at <= t:
                state = evolve(state, history[done].event)
                done += 1
        else:  # recorded out of version order: refold what was known at t, in version order
            state = fold(r.event for r in history if r.recorded_at <= t)
        out.append((t, spells(state), state))
    return out


Identity = tuple  # (certificate type, ID number, name, gender, birth date, household region)


def identity(s: Person) -> Identity:
    """Who the person was believed to be: what a spell row carries for the register comparison."""
    return (s.certificate_type, s.id_number, s.name, s.gender, s.birth_date, s.household_region)


def enrollment_spell_rows(p: StreamHistory) -> list[Row]:
    """Each spell with the identity believed with it, over the system time both were believed:
    a correction of either closes the row and opens one with what is believed from then on, so
    a question "as known at T" gets the spell and the person as they stood at T."""
    spans = believed_spans(p, lambda current, state: [(s, identity(state)) for s in current])
    return [_spell_row(p.person_id, believed, since, until) for believed, since, until in spans]


def believed_spans(p: StreamHistory, believed_at: Callable[[list[Spell], Person], list[K]]
                   ) -> list[tuple[K, datetime, datetime | None]]:
    """Each thing `believed_at` says was believed (from a recording time's spells and state), with
    the system time it was believed from and — when a later recording stopped believing it — until."""
    if len(p.believed) == 1:  # the usual history, recorded at one time (an import's row, one command)
        t, current, state = p.believed[0]
        now = believed_at(current, state)
        return [(k, t, None) for k in (now if len(now) < 2 else dict.fromkeys(now))]
    spans: list[tuple[K, datetime, datetime | None]] = []
    since: dict[K, datetime] = {}
    for t, current, state in p.believed:
        now = believed_at(current, state)
        held = set(now)
        for gone in [k for k in since if k not in held]:
            spans.append((gone, since.pop(gone), t))
        for k in now:
            since.setdefault(k, t)
    spans.extend((k, t, None) for k, t in since.items())
    return spans


def _spell_row(person_id: UUID, believed: tuple[Spell, Identity], recorded_from: datetime,
               recorded_to: datetime | None) -> Row:
    s, who = believed
    return (person_id, s.enrollment_id, s.insurance_type, scheme_of(s.insurance_type), s.region, s.pooling_region,
            s.unit_code, s.person_type, s.status, s.valid_from, s.valid_to, recorded_from, recorded_to, *who)


def enrolled_identity_rows(p: StreamHistory) -> list[Row]:
    """Where and when the person was enrolled (domain.schemes.counted_enrolled) under the resident
    identity believed with it, over the system time both were believed. Within a region the spells
    enrolled are merged into the stretches they cover together: on any valid date, as known at
    any system time, a person has at most one row a region — so the comparison's join gives each
    (region, ID number) of a person once, and its findings need no sorting out afterwards."""
    return [(p.person_id, *stretch, since, until) for stretch, since, until in believed_spans(p, enrolled_stretches)]


def enrolled_stretches(current: list[Spell], s: Person) -> list[tuple]:
    """(region, identity, valid from, valid to) for each stretch of valid time enrolled in a region."""
    if s.certificate_type != RESIDENT_ID or not s.id_number:
        return []
    enrolled = [spell for spell in current if counted_enrolled(spell.insurance_type, spell.status)
                and (spell.valid_to is None or spell.valid_to > spell.valid_from)]
    if not enrolled:
        return []
    who = (s.id_number, s.name, s.gender, s.birth_date, s.household_region)
    if len(enrolled) == 1:
        return [(enrolled[0].region, *who, enrolled[0].valid_from, enrolled[0].valid_to)]
    by_region: dict[str, list[tuple[Any, Any]]] = {}
    for spell in enrolled:
        by_region.setdefault(spell.region, []).append((spell.valid_from, spell.valid_to))
    out = []
    for region, stretches in by_region.items():
        stretches.sort(key=lambda st: st[0])
        start, end = stretches[0]
        for valid_from, valid_to in stretches[1:]:
            if end is not None and valid_from > end:  # a gap: the stretch before is whole
                out.append((region, *who, start, end))
                start, end = valid_from, valid_to
            elif end is not None and (valid_to is None or valid_to > end):
                end = valid_to
        out.append((region, *who, start, end))
    return out
