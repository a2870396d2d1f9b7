"""Service requests: the catalogue, the 台账 of requests (a keyset page at a time, in the
caller's scope) and one request's steps with the office, time and working days of each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from application.calendar import register_stored
from domain.access import Principal
from domain.id_numbers import person_id
from domain.requests.catalogue import Item, catalogue
from domain.requests.deadlines import working_days_between
from domain.requests.state import STAGE_LABELS, STEP_LABELS, fold, request_stream
from ledger_api.auth import NotAuthorised
from ledger_api.cohorts import PageInfo, page_info, page_size, parse_cursor
from ledger_api.context import ctx
from ledger_api.permissions import shown_id
from ledger_api.persons import ActorView
from projections.person_rows import StreamHistory
from projections.request_queries import (
    Filters,
    Scope,
    in_scope,
    office_summary,
    service_requests,
    with_deadline,
)
from projections.request_rows import COLUMNS, service_request_rows

MAX_SUMMARY_ROWS = 200_000  # a city's year of requests; beyond that, the summary wants its own read model


@strawberry.type(description="An item of the service catalogue (服务事项): materials, stages and time limit.")
class ServiceItem:
    code: str
    main: str
    name: str
    materials: list[str]
    limit_days: int = strawberry.field(description="办理时限 in working days from acceptance; 0 = 即时办结.")
    limit_label: str
    stages: list[str]
    commands: list[str] = strawberry.field(description="The ledger commands a request of this item carries out.")
    online_review: list[str] = strawberry.field(
        description="Commands that, filed online by a unit or a person, wait for an office's review (seed 002).")
    source: str

    @staticmethod
    def of(item: Item) -> ServiceItem:
        return ServiceItem(code=item.code, main=item.main, name=item.name, materials=list(item.materials),
                           limit_days=item.limit_days, limit_label=item.limit_label(), stages=list(item.stages),
                           commands=list(item.commands), online_review=list(item.online_review), source=item.source)


@strawberry.type(description="The service catalogue in force and its edition.")
class ServiceCatalogue:
    version: str
    online_limit_days: int
    items: list[ServiceItem]


@strawberry.type(description="A service request as the 台账 keeps it; its deadline derived from the working days.")
class ServiceRequestView:
    request_id: UUID
    item_code: str
    item_name: str
    command: str
    stage: str
    stage_label: str
    region: str = strawberry.field(description="The insured region: its office reviews and completes the request.")
    id_number: str | None
    unit_code: str | None
    applicant_kind: str
    online_review: bool
    applied_on: date
    accepted_on: date | None
    accepted_by: str | None
    reviewed_on: date | None
    reviewed_by: str | None
    completed_on: date | None
    completed_by: str | None
    rejection: str | None = strawberry.field(description="Why an office rejected it, for the applicant to read.")
    due: date | None
    due_provisional: bool = strawberry.field(description=(
        "The deadline counts days of a year without an official working-day schedule yet (weekdays only)."))
    overdue: bool
    working_days_used: int
    step: str | None = strawberry.field(description="For a transfer's leaving region: the step it is (信息表).")
    linked_request: UUID | None = strawberry.field(description="The request it serves (a transfer's other end).")


@strawberry.type
class ServiceRequestEdge:
    cursor: str
    node: ServiceRequestView


@strawberry.type
class ServiceRequestConnection:
    edges: list[ServiceRequestEdge]
    page_info: PageInfo


@strawberry.type(description="One step of a request: when, by whom, at which office, how many working days it took.")
class RequestStep:
    stage: str
    stage_label: str
    on: date
    recorded_at: datetime
    office: str | None
    actor: ActorView
    reason: str | None
    working_days: int = strawberry.field(description="Working days since the step before.")


@strawberry.type
class ServiceRequestDetail:
    request: ServiceRequestView
    steps: list[RequestStep]
    materials: list[str]


@strawberry.type(description="One office's line of the 台账 summary: received, completed, in time, overdue, "
                              "and the average working days each stage took.")
class OfficeSummary:
    office: str = strawberry.field(description="The accepting office's region (网上: the online hall).")
    received: int
    completed: int
    in_time: int
    overdue: int
    average_accept_days: float | None
    average_review_days: float | None
    average_complete_days: float | None


def request_scope(who: Principal) -> Scope:
    """An office sees its city's requests (any office of the city may accept them); a unit its
    own filings and its staff's; a person their own; auditors and analysts all."""
    if who.role == "office":
        prefix = who.region_prefix
        return Scope(region_prefix=prefix[:4] if len(prefix) > 4 else prefix)
    if who.role == "unit_agent":
        return Scope(unit_code=who.unit_code)
    if who.role == "person":
        return Scope(person_id=person_id("01", who.id_number or ""))
    return Scope()


def view(who: Principal, row: dict[str, Any]) -> ServiceRequestView:
    item = catalogue().items.get(row["item_code"])
    deadline = row["deadline"]
    return ServiceRequestView(
        request_id=row["request_id"], item_code=row["item_code"], item_name=item.name if item else "",
        command=row["command"], stage=row["stage"], stage_label=STAGE_LABELS.get(row["stage"], row["stage"]),
        region=row["region"], id_number=row["id_number"] and shown_id(who, row["id_number"]),
        unit_code=row["unit_code"], applicant_kind=row["applicant_kind"], online_review=row["online_review"],
        applied_on=row["applied_on"], accepted_on=row["accepted_on"], accepted_by=row["accepted_by"],
        reviewed_on=row["reviewed_on"], reviewed_by=row["reviewed_by"], completed_on=row["completed_on"],
        completed_by=row["completed_by"], rejection=row["rejection"], due=deadline and deadline.due,
        due_provisional=bool(deadline and deadline.provisional), overdue=row["overdue"],
        working_days_used=row["working_days_used"], step=row["step"], linked_request=row["linked_request"])


def requests_page(conn: Any, scope: Scope, filters: Filters, after: Any, first: int, today: date) -> list[dict]:
    register_stored(conn)  # a schedule loaded by `canbao calendar load` since the server started
    return service_requests(conn, scope, filters, after, first, today)


@strawberry.type
class RequestQueries:
    @strawberry.field(description="The service catalogue (服务事项清单): items, materials, stages and time limits.")
    def service_catalogue(self, info: Info) -> ServiceCatalogue:
        ctx(info).who()
        c = catalogue()
        return ServiceCatalogue(version=c.version, online_limit_days=c.online_limit_days,
                                items=[ServiceItem.of(i) for i in c.items.values()])

    @strawberry.field(description=(
        "Service requests in your scope (the 台账), oldest filing first, a page at a time: by stage (applied, "
        "accepted, approved, rejected, completed), item, accepting office, handling (insured) region, overdue."))
    async def service_requests(self, info: Info, stage: str | None = None, item: str | None = None,
                               accepted_by: str | None = None, handled_by: str | None = None,
                               overdue: bool | None = None, first: int = 50,
                               after: str | None = None) -> ServiceRequestConnection:
        who = ctx(info).who()
        if stage is not None and stage not in STAGE_LABELS:
            raise NotAuthorised(f"stage must be one of {', '.join(STAGE_LABELS)}")
        cursor = parse_cursor(info, after)
        keyset = (datetime.fromisoformat(cursor[0]), UUID(cursor[1])) if cursor else None
        filters = Filters(stage, item, accepted_by, handled_by, overdue)
        rows = await ctx(info).read(requests_page, request_scope(who), filters, keyset, page_size(first),
                                    ctx(info).today())
        edges = [ServiceRequestEdge(cursor=ctx(info).sealer.seal(r["applied_at"].isoformat(), r["request_id"]),
                                    node=view(who, r)) for r in rows[:first]]
        return ServiceRequestConnection(edges=edges, page_info=page_info(rows, first, edges))

    @strawberry.field(description="Per accepting office, the 台账 summary of the requests in your scope.")
    async def service_office_summary(self, info: Info) -> list[OfficeSummary]:
        who = ctx(info).who()
        if who.role not in ("office", "auditor", "analyst"):
            raise NotAuthorised("the summary is for offices, auditors and analysts")
        rows = await ctx(info).read(requests_page, request_scope(who), Filters(), None, MAX_SUMMARY_ROWS,
                                    ctx(info).today())
        return [OfficeSummary(office=f.office, received=f.received, completed=f.completed, in_time=f.in_time,
                              overdue=f.overdue, average_accept_days=f.average("受理"),
                              average_review_days=f.average("审核"), average_complete_days=f.average("办结"))
                for f in office_summary(rows)]

    @strawberry.field(description="One request with every step: office, time and working days each took.")
    async def service_request(self, info: Info, request_id: UUID) -> ServiceRequestDetail:
        who = ctx(info).who()
        # From the request's own stream, not the 台账: a step just taken is there at once.
        history = await ctx(info).history(request_stream(request_id))
        rows = service_request_rows(StreamHistory(request_stream(request_id), history)) if history else []
        row = with_deadline(dict(zip(COLUMNS, rows[0], strict=True)), ctx(info).today()) if rows else None
        if row is None or not in_scope(request_scope(who), row):
            raise NotAuthorised("no such request in your scope")
        request = fold(r.event for r in history)
        steps, before = [], None
        for recorded, step in zip(history, request.steps, strict=True):
            used = working_days_between(before, step.on)[0] if before else 0
            steps.append(RequestStep(
                stage=step.stage, stage_label=STEP_LABELS[step.stage], on=step.on, recorded_at=recorded.recorded_at,
                office=step.office, reason=step.reason, working_days=used,
                actor=ActorView(kind=recorded.meta.actor.kind, id=recorded.meta.actor.id,
                                region=recorded.meta.actor.region, unit_code=recorded.meta.actor.unit_code)))
            before = step.on
        return ServiceRequestDetail(request=view(who, row), steps=steps,
                                    materials=[f"{m.name} ({m.size:,} bytes, sha256 {m.sha256[:12]}…)"
                                               for m in request.materials])
