"""GraphQL output types: what portals, offices and auditors read."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from domain.codes import label
from domain.errors import FieldError
from domain.events import Event
from domain.timeline import RecordedEvent, Spell


@strawberry.type(description="A code of a national table with its Chinese label.")
class Coded:
    code: str
    label: str


def coded(table: str, code: str | None) -> Coded | None:
    return None if code is None else Coded(code=code, label=label(table, code))


@strawberry.type(description="Who recorded an event.")
class ActorView:
    kind: str
    id: str
    region: str | None
    unit_code: str | None


@strawberry.type(description="One recorded event: what happened, when it takes effect, when and by whom it was recorded.")
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
    details: JSON

    @staticmethod
    def of(r: RecordedEvent) -> HistoryEvent:
        e: Event = r.event
        change = getattr(e, "change_code", None) or type(e).change_type
        change_table = "unit_change_type" if e.topic.startswith("unit.") else "person_change_type"
        reason = e.reason if e.reason and label("change_reason", e.reason) else None
        details = e.model_dump(mode="json", exclude={"effective"})
        return HistoryEvent(
            version=r.version, type=e.topic, valid_date=e.effective, recorded_at=r.recorded_at,
            actor=ActorView(kind=r.meta.actor.kind, id=r.meta.actor.id, region=r.meta.actor.region,
                            unit_code=r.meta.actor.unit_code),
            channel=coded("channel", r.meta.channel), reason=coded("change_reason", reason),
            change_type=coded(change_table, change), evidence=list(r.meta.evidence),
            service_item=r.meta.service_item, command_id=r.meta.command_id, details=details,
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
            enrollment_id=s.enrollment_id, insurance_type=coded("insurance_type", s.insurance_type),
            region=s.region, pooling_region=s.pooling_region, status=coded("enrollment_status", s.status),
            person_type=coded("person_type", s.person_type), unit_code=s.unit_code,
            valid_from=s.valid_from, valid_to=s.valid_to,
        )


@strawberry.type(description="A refused field: its API name, Chinese label, the rule broken, and why.")
class FieldErrorView:
    field: str
    label: str
    rule: str
    message: str

    @staticmethod
    def of(e: FieldError) -> FieldErrorView:
        return FieldErrorView(field=e.api_name, label=e.label, rule=e.rule, message=e.message)


@strawberry.type(description="What a command recorded, or why it was refused (then nothing was recorded).")
class CommandResult:
    ok: bool
    replayed: bool = strawberry.field(description="True when this command id had already been recorded.")
    events: list[HistoryEvent]
    errors: list[FieldErrorView]


@strawberry.type
class RosterEntry:
    id_number: str
    name: str
    person_type: Coded
    status: Coded
    insurance_type: Coded
    region: str
    since: date


@strawberry.type
class LockWindow:
    campaign_id: str
    confirmed_at: datetime
    locked_until: date


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class DuplicateSet:
    kind: str
    kind_label: str
    id_number: str
    name: str
    first_enrollment_id: UUID
    second_enrollment_id: UUID
    first_region: str
    second_region: str
    first_insurance_type: Coded
    second_insurance_type: Coded
    overlap_from: date
    overlap_days: int
    keep_enrollment_id: UUID | None
    clean_enrollment_id: UUID | None
    confirming_region: str | None
    action: str


@strawberry.type
class DuplicateSetEdge:
    cursor: str
    node: DuplicateSet


@strawberry.type
class DuplicateSetConnection:
    edges: list[DuplicateSetEdge]
    page_info: PageInfo


@strawberry.type
class Anomaly:
    subject_kind: str
    subject_code: str
    region: str | None
    kind: str
    kind_label: str
    detail: str


@strawberry.type
class AnomalyEdge:
    cursor: str
    node: Anomaly


@strawberry.type
class AnomalyConnection:
    edges: list[AnomalyEdge]
    page_info: PageInfo


@strawberry.type
class CodeTableView:
    name: str
    label: str
    api_name: str
    codes: list[Coded]
