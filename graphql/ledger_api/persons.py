"""Persons: their full history and bitemporal snapshots, folded from their events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain.codes import label
from domain.errors import DomainError, FieldError
from domain.events import Event
from domain.id_numbers import RESIDENT_ID, parse_resident_id, person_id
from domain.person.contribution_summary import summarise
from domain.person.evolve import fold
from domain.person.state import Person as PersonState
from domain.timeline import RecordedEvent, Spell, snapshot, state_known_at
from ledger_api.auth import NotAuthorised
from ledger_api.codes import Coded, coded
from ledger_api.context import ctx
from ledger_api.contributions import ContributionMonth, ContributionSummaryView
from ledger_api.errors import InputError
from ledger_api.permissions import require_person
from projections.history_chart import history_svg


@strawberry.type(description="Who recorded an event.")
class ActorView:
    kind: str
    id: str
    region: str | None
    unit_code: str | None


@strawberry.type(
    description="One recorded event: what happened, when it takes effect, when and by whom it was recorded."
)
class HistoryEvent:
    version: int
    type: str
    valid_date: date
    recorded_at: datetime
    actor: ActorView
    channel: Coded
    reason: Coded | None
    change_type: Coded | None
    evidence: list[str]
    service_item: str | None
    command_id: UUID
    cause: UUID | None = strawberry.field(description="The service request it was recorded for, if any.")
    details: JSON

    @staticmethod
    def of(r: RecordedEvent) -> HistoryEvent:
        e: Event = r.event
        change = getattr(e, "change_code", None) or type(e).change_type
        change_table = "unit_change_type" if e.topic.startswith("unit.") else "person_change_type"
        reason = e.reason if e.reason and label("change_reason", e.reason) else None
        details = e.model_dump(mode="json", exclude={"effective"})
        return HistoryEvent(
            version=r.version,
            type=e.topic,
            valid_date=e.effective,
            recorded_at=r.recorded_at,
            actor=ActorView(
                kind=r.meta.actor.kind, id=r.meta.actor.id, region=r.meta.actor.region, unit_code=r.meta.actor.unit_code
            ),
            channel=coded("channel", r.meta.channel),
            reason=coded("change_reason", reason),
            change_type=coded(change_table, change),
            evidence=list(r.meta.evidence),
            service_item=r.meta.service_item,
            command_id=r.meta.command_id,
            cause=r.meta.cause,
            details=cast(JSON, details),
        )


@strawberry.type(description="An enrollment over a stretch of valid time with one status.")
class EnrollmentSpell:
    enrollment_id: UUID
    insurance_type: Coded
    region: str
    pooling_region: str
    status: Coded
    person_type: Coded
    unit_code: str
    valid_from: date
    valid_to: date | None

    @staticmethod
    def of(s: Spell) -> EnrollmentSpell:
        return EnrollmentSpell(
            enrollment_id=s.enrollment_id,
            insurance_type=coded("insurance_type", s.insurance_type),
            region=s.region,
            pooling_region=s.pooling_region,
            status=coded("enrollment_status", s.status),
            person_type=coded("person_type", s.person_type),
            unit_code=s.unit_code,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
        )


@strawberry.type(description="An insured person, as the ledger knows them now.")
class Person:
    id_number: str
    name: str
    gender: Coded
    birth_date: date | None
    survival_status: Coded
    civil_servant: bool
    merged_into: strawberry.ID | None
    events: strawberry.Private[list[RecordedEvent]]

    @strawberry.field(description="Every event of the person, oldest first; as known at `knownAt` if given.")
    def history(self, known_at: datetime | None = None) -> list[HistoryEvent]:
        known_at = aware(known_at)
        return [HistoryEvent.of(r) for r in self.events if known_at is None or r.recorded_at <= known_at]

    @strawberry.field(description=(
        "The history as an SVG picture: valid time across, system time down; each row what the ledger believed "
        "from one recording on, so a retroactive correction visibly supersedes the row above (as known at "
        "`knownAt`, if given)."))
    def history_chart(self, info: Info, known_at: datetime | None = None) -> str:
        known = aware(known_at)
        events = [r for r in self.events if known is None or r.recorded_at <= known]
        if not events:
            return ""
        return history_svg(events[0].stream_id, events, f"{self.name} {self.id_number}", ctx(info).today())

    @strawberry.field(
        description="Enrollments on valid date `asOf` (default today), as known at `knownAt` (default: all recorded)."
    )
    def snapshot(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[EnrollmentSpell]:
        day = as_of or ctx(info).today()  # the business date on the ledger's clock, as for rosters
        return [EnrollmentSpell.of(s) for s in snapshot(self.events, day, aware(known_at))]

    @strawberry.field(
        description="Months paid (缴费记录) from `from` to `to`, as known at `knownAt` (default: all recorded).")
    def contributions(self, from_: Annotated[date | None, strawberry.argument(name="from")] = None,
                      to: date | None = None, known_at: datetime | None = None) -> list[ContributionMonth]:
        state = state_known_at(self.events, aware(known_at))
        return [ContributionMonth.of(c) for c in sorted(state.contributions.values(), key=lambda c: c.month)
                if (from_ is None or c.month >= from_) and (to is None or c.month <= to)]

    @strawberry.field(description="What the contribution record adds up to on `asOf` (default today), as known "
                                  "at `knownAt`: months per type and region, employee time, gaps (断缴).")
    def contribution_summary(self, info: Info, as_of: date | None = None,
                             known_at: datetime | None = None) -> ContributionSummaryView:
        state = state_known_at(self.events, aware(known_at))
        return ContributionSummaryView.of(summarise(state, as_of or ctx(info).today()))


def aware(known_at: datetime | None) -> datetime | None:
    """A system time must say its offset: 2020-06-30T00:00 in Beijing and in UTC are 8 hours apart."""
    if known_at is not None and known_at.tzinfo is None:
        raise InputError([FieldError("known_at", "time.offset_required",
                                     f"{known_at.isoformat()} has no UTC offset; e.g. {known_at.isoformat()}+08:00")])
    return known_at


def normalised_id(certificate_type: str, id_number: str, today: date) -> str:
    if certificate_type != RESIDENT_ID:
        return id_number.strip().upper()
    try:
        return parse_resident_id(id_number, today=today).number
    except DomainError as refused:
        raise InputError(refused.errors) from None


async def person_seen(info: Info, certificate_type: str, id_number: str,
                      ) -> tuple[PersonState, list[RecordedEvent]] | None:
    """The person's state and history, if the caller may see them; None when the ledger has no
    such person and the caller's role may be told so (others are told it is outside their scope)."""
    who = ctx(info).who()
    number = normalised_id(certificate_type, id_number, ctx(info).today())
    history = await ctx(info).history(person_id(certificate_type, number))
    state = fold(r.event for r in history)
    if not state.registered:
        if who.role in ("office", "auditor"):
            return None
        raise NotAuthorised("this person is outside your scope")
    require_person(who, state)
    return state, history


@strawberry.type
class PersonQueries:
    @strawberry.field(description="A person by certificate number (a 15-digit ID finds its 18-digit upgrade).")
    async def person(self, info: Info, id_number: str, certificate_type: str = RESIDENT_ID) -> Person | None:
        seen = await person_seen(info, certificate_type, id_number)
        if seen is None:
            return None
        state, history = seen
        return Person(
            id_number=state.id_number,
            name=state.name,
            gender=coded("gender", state.gender),
            birth_date=state.birth_date,
            survival_status=coded("survival_status", state.survival_status),
            civil_servant=state.civil_servant,
            merged_into=strawberry.ID(str(state.merged_into)) if state.merged_into else None,
            events=history,
        )
