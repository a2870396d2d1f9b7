"""The application service: load the streams a command needs, decide, append — atomically.

No rules here: they are in `domain/`. This module only knows which streams a command
touches, and retries a bounded number of times when a concurrent writer got there first.
"""

from __future__ import annotations

import logging
from datetime import date
from dataclasses import dataclass
from uuid import UUID, uuid5

from domain import commands as cmd
from domain import events as ev
from domain import person as person_decider
from domain import unit as unit_decider
from domain.errors import ConcurrencyConflict
from domain.id_numbers import person_id
from domain.legacy import decide_import
from domain.person_state import NORMAL, Person
from domain.person_state import fold as fold_person
from domain.roster import roster_events
from domain.schemes import RETIRED_TYPES
from domain.timeline import RecordedEvent
from domain.unit import Unit
from domain.unit import fold as fold_unit
from domain.unit_codes import unit_id
from eventlog.chain import Stream
from eventlog.store import Appended, Conflict, EventStore

log = logging.getLogger(__name__)
CAMPAIGN_NAMESPACE = UUID("5e0c8f4e-8d1b-5c55-9f0e-2b9d7c6a1e30")
MAX_ATTEMPTS = 5
CORRECTIONS = (cmd.CorrectBaseInfo, cmd.CorrectEnrollment)


@dataclass(frozen=True)
class Outcome:
    events: list[RecordedEvent]
    replayed: bool = False  # True when the command id had already been recorded


def campaign_id(name: str) -> UUID:
    return uuid5(CAMPAIGN_NAMESPACE, name)


class Plan:
    """The streams a command read, and the events to append to each."""

    def __init__(self) -> None:
        self.streams: dict[UUID, Stream] = {}
        self.new: dict[UUID, list[ev.Event]] = {}

    def add(self, stream: Stream, events: list[ev.Event]) -> None:
        self.streams[stream.stream_id] = stream
        self.new.setdefault(stream.stream_id, []).extend(events)

    def batches(self) -> list[Appended]:
        return [Appended(sid, self.streams[sid].version, self.streams[sid].last_hash, events)
                for sid, events in self.new.items() if events]


class Ledger:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    # ---- reading ----------------------------------------------------------------------

    def person_stream(self, certificate_type: str, id_number: str) -> Stream:
        return self.store.load(person_id(certificate_type, id_number))

    def person(self, certificate_type: str, id_number: str) -> Person:
        return fold_person(r.event for r in self.person_stream(certificate_type, id_number).events)

    def unit_stream(self, code: str) -> Stream:
        return self.store.load(unit_id(code))

    def unit(self, code: str) -> Unit:
        return fold_unit(r.event for r in self.unit_stream(code).events)

    # ---- writing ----------------------------------------------------------------------

    def execute(self, command: cmd.Command, ctx: cmd.Context) -> Outcome:
        """Record a command's events once; a DomainError (nothing written) if it is refused."""
        meta = ctx.meta(type(command).__name__)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            earlier = self.store.logged(ctx.command_id)
            if earlier is not None:
                return Outcome(earlier, replayed=True)
            plan = self._plan(command, ctx)
            try:
                return Outcome(self.store.append(plan.batches(), meta))
            except Conflict:
                log.info("concurrent write on %s, attempt %d", type(command).__name__, attempt)
        raise ConcurrencyConflict(f"{type(command).__name__} lost {MAX_ATTEMPTS} races for the same records; try again")

    def _plan(self, command: cmd.Command, ctx: cmd.Context) -> Plan:
        if isinstance(command, cmd.MergeIdentity):
            return self._plan_merge(command, ctx)
        if isinstance(command, cmd.ImportLegacyEnrollment):
            stream = self.person_stream(command.certificate_type, command.id_number)
            plan = Plan()
            plan.add(stream, decide_import(command, fold_person(r.event for r in stream.events), ctx))
            return plan
        if isinstance(command, cmd.PersonCommand):
            return self._plan_person(command, ctx)
        if isinstance(command, cmd.OpenCampaign):
            stream = self.store.load(campaign_id(command.campaign_id))
            existing = stream.events[0].event if stream.events else None
            plan = Plan()
            plan.add(stream, unit_decider.decide_open_campaign(command, existing))  # type: ignore[arg-type]
            return plan
        if isinstance(command, cmd.ConfirmUnitData):
            return self._plan_confirm(command, ctx)
        if isinstance(command, cmd.MergeUnit):
            return self._plan_unit_merge(command)
        if isinstance(command, cmd.UnitCommand):
            return self._plan_unit(command, ctx)
        raise TypeError(f"no plan for {type(command).__name__}")

    def _units(self, codes: set[str]) -> dict[str, Stream]:
        return {code: self.unit_stream(code) for code in sorted(c.strip().upper() for c in codes if c)}

    def _plan_person(self, command: cmd.PersonCommand, ctx: cmd.Context) -> Plan:
        stream = self.person_stream(command.certificate_type, command.id_number)
        before = fold_person(r.event for r in stream.events)
        # Units that rules consult: the open enrollments' (locks, successors, roster), the agent's and the
        # command's; past employers are not needed, and the roster falls back to loading any other.
        codes = {e.unit_code for e in before.open_enrollments()} | {ctx.actor.unit_code or ""}
        codes.add(getattr(command, "unit_code", None) or "")
        if isinstance(command, cmd.CorrectEnrollment):
            codes.add(command.changes.get("unit_code") or "")
        unit_streams = self._units(codes)
        units = {code: fold_unit(r.event for r in s.events) for code, s in unit_streams.items()}
        events = person_decider.decide(command, before, units, ctx)
        plan = Plan()
        plan.add(stream, events)
        self._add_roster(plan, stream.stream_id, before, fold_person(events, before), command.effective, unit_streams)
        if isinstance(command, CORRECTIONS) and ctx.channel == "unit_portal" and ctx.actor.unit_code and events:
            # Written on the unit's stream so a racing confirmation and this correction collide.
            plan.add(unit_streams[ctx.actor.unit_code.upper()],
                     [ev.StaffCorrectedThroughUnit(effective=command.effective, person_id=stream.stream_id)])
        return plan

    def _add_roster(self, plan: Plan, pid: UUID, before: Person, after: Person, effective: date,
                    streams: dict[str, Stream]) -> None:
        for code, events in roster_events(pid, before, after, effective).items():
            plan.add(streams.get(code) or self.unit_stream(code), events)

    def _plan_merge(self, command: cmd.MergeIdentity, ctx: cmd.Context) -> Plan:
        source_stream = self.person_stream(command.certificate_type, command.id_number)
        target_stream = self.person_stream(command.target_certificate_type, command.target_id_number)
        source = fold_person(r.event for r in source_stream.events)
        target = fold_person(r.event for r in target_stream.events)
        away, into = person_decider.decide_merge(command, source, target, target_stream.stream_id, ctx)
        plan = Plan()
        plan.add(source_stream, away)
        plan.add(target_stream, into)
        self._add_roster(plan, source_stream.stream_id, source, Person(), command.effective, {})
        self._add_roster(plan, target_stream.stream_id, target, fold_person(into, target), command.effective, {})
        return plan

    def _plan_unit(self, command: cmd.UnitCommand, ctx: cmd.Context) -> Plan:
        stream = self.unit_stream(command.unit_code)
        unit = fold_unit(r.event for r in stream.events)
        plan = Plan()
        plan.add(stream, unit_decider.decide(command, unit, ctx))
        if isinstance(command, cmd.CancelUnit) and command.suspend_staff:
            self._suspend_staff(plan, unit, command, ctx)
        return plan

    def _suspend_staff(self, plan: Plan, unit: Unit, command: cmd.CancelUnit, ctx: cmd.Context) -> None:
        """同步暂停人员: in-service staff in force are suspended in the same transaction."""
        for pid, enrollment_id in sorted(unit.staff, key=str):
            stream = self.store.load(pid)
            person = fold_person(r.event for r in stream.events)
            enrollment = person.enrollments.get(enrollment_id)
            if enrollment is None or enrollment.status != NORMAL or enrollment.person_type in RETIRED_TYPES:
                continue
            suspend = cmd.Suspend(effective=command.effective, certificate_type=person.certificate_type,
                                  id_number=person.id_number, enrollment_id=enrollment_id, reason="6399")
            plan.add(stream, person_decider.decide(suspend, person, {unit.unit_code: unit}, ctx))

    def _plan_unit_merge(self, command: cmd.MergeUnit) -> Plan:
        absorbed, successor = self.unit_stream(command.unit_code), self.unit_stream(command.successor_code)
        away, into = unit_decider.decide_merge(
            command, fold_unit(r.event for r in absorbed.events), fold_unit(r.event for r in successor.events))
        plan = Plan()
        plan.add(absorbed, away)
        plan.add(successor, into)
        return plan

    def _plan_confirm(self, command: cmd.ConfirmUnitData, ctx: cmd.Context) -> Plan:
        stream = self.unit_stream(command.unit_code)
        campaign_stream = self.store.load(campaign_id(command.campaign_id))
        opened = campaign_stream.events[0].event if campaign_stream.events else None
        plan = Plan()
        plan.add(stream, unit_decider.decide_confirm(command, fold_unit(r.event for r in stream.events), ctx, opened))  # type: ignore[arg-type]
        return plan
