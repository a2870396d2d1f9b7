"""Queries: persons (history and snapshots from the events), units, cohorts (from projections)."""

from __future__ import annotations

import base64
from importlib.metadata import version
from typing import Any
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from domain.codes import tables
from domain.errors import DomainError
from domain.id_numbers import RESIDENT_ID, parse_resident_id
from domain.person.evolve import fold
from domain.schemes import IN_SERVICE_TYPES, RETIRED_TYPES
from domain.timeline import RecordedEvent, snapshot
from ledger_api.auth import NotAuthorised
from ledger_api.context import RequestContext
from ledger_api.errors import InputError
from ledger_api.scope import region_scope, require_person, require_unit, shown_id
from ledger_api.types import (
    Anomaly, AnomalyConnection, AnomalyEdge, Coded, CodeTableView, DuplicateSet, DuplicateSetConnection,
    DuplicateSetEdge, EnrollmentSpell, HistoryEvent, LockWindow, PageInfo, RosterEntry, coded,
)
from projections import queries as read
from projections.anomalies import KINDS as ANOMALY_KINDS
from projections.duplicates import KINDS as DUPLICATE_KINDS
from projections.duplicates import action

MAX_PAGE = 500


def ctx(info: Info) -> RequestContext:
    return info.context


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
        return [HistoryEvent.of(r) for r in self.events if known_at is None or r.recorded_at <= known_at]

    @strawberry.field(description="Enrollments on valid date `asOf` (default today), as known at `knownAt` (default now).")
    def snapshot(self, info: Info, as_of: date | None = None,
                 known_at: datetime | None = None) -> list[EnrollmentSpell]:
        day = as_of or ctx(info).today()  # the business date on the ledger's clock, as for rosters
        return [EnrollmentSpell.of(s) for s in snapshot(self.events, day, known_at)]


@strawberry.type(description="A unit (参保单位) and its staff.")
class Unit:
    code: str
    name: str
    region: str
    unit_type: Coded
    management_type: Coded
    status: Coded

    @strawberry.field(description="The staff roster (员工花名册) on valid date `asOf` (default today).")
    async def roster(self, info: Info, as_of: date | None = None) -> list[RosterEntry]:
        who = ctx(info).who()
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return [RosterEntry(id_number=shown_id(who, r["id_number"]), name=r["name"],
                            person_type=coded("person_type", r["person_type"]),
                            status=coded("enrollment_status", r["status"]),
                            insurance_type=coded("insurance_type", r["insurance_type"]), region=r["region"],
                            since=r["since"]) for r in rows]

    @strawberry.field(description="In-service staff (在职) on `asOf`.")
    async def in_service_count(self, info: Info, as_of: date | None = None) -> int:
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return sum(r["person_type"] in IN_SERVICE_TYPES for r in rows)

    @strawberry.field(description="Retired staff (退休) on `asOf`.")
    async def retired_count(self, info: Info, as_of: date | None = None) -> int:
        rows = await ctx(info).read(read.roster, self.code, as_of or ctx(info).today())
        return sum(r["person_type"] in RETIRED_TYPES for r in rows)

    @strawberry.field(description="Confirmed-data locks from verification campaigns.")
    async def lock_windows(self, info: Info) -> list[LockWindow]:
        rows = await ctx(info).read(read.lock_windows, self.code)
        return [LockWindow(campaign_id=r["campaign_id"], confirmed_at=r["confirmed_at"],
                           locked_until=r["locked_until"]) for r in rows]


def normalised_id(certificate_type: str, id_number: str, today: date) -> str:
    if certificate_type != RESIDENT_ID:
        return id_number.strip().upper()
    try:
        return parse_resident_id(id_number, today=today).number
    except DomainError as refused:
        raise InputError(refused.errors) from None


def cursor_of(*parts: object) -> str:
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode()


def parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        first, second = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except ValueError:
        raise NotAuthorised("the cursor is not one this API gave out") from None
    return first, second


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise NotAuthorised(f"first must be between 1 and {MAX_PAGE}")
    return first


async def cohort_rows(info: Info, fetch: Any, kinds: dict[str, str], kind: str | None, region: str | None,
                      first: int, after: str | None) -> tuple[Any, list[dict]]:
    """Who asks, and one page (plus one row, to tell if there is more) of a cohort list in their scope."""
    who = ctx(info).who()
    prefix = region_scope(who, region)
    if kind is not None and kind not in kinds:
        raise NotAuthorised(f"kind must be one of {', '.join(kinds)}")
    return who, await ctx(info).read(fetch, kind, prefix, parse_cursor(after), page_size(first))


def page_info(rows: list[dict], first: int, edges: list[Any]) -> PageInfo:
    return PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None)


@strawberry.type(description="What this ledger is and which version answers.")
class LedgerInfo:
    name: str
    version: str


@strawberry.type
class Query:
    @strawberry.field(description="The ledger answering this API (no sign-in needed).")
    def ledger(self) -> LedgerInfo:
        return LedgerInfo(name="canbao 参保 ledger", version=version("canbao"))

    @strawberry.field(description="A person by certificate number (a 15-digit ID finds its 18-digit upgrade).")
    async def person(self, info: Info, id_number: str, certificate_type: str = RESIDENT_ID) -> Person | None:
        who = ctx(info).who()
        number = normalised_id(certificate_type, id_number, ctx(info).today())
        stream = await ctx(info).call(ctx(info).backend.ledger.person_stream, certificate_type, number)
        state = fold(r.event for r in stream.events)
        if not state.registered:
            if who.role in ("office", "auditor"):
                return None
            raise NotAuthorised("this person is outside your scope")
        require_person(who, state)
        return Person(
            id_number=state.id_number, name=state.name, gender=coded("gender", state.gender),
            birth_date=state.birth_date, survival_status=coded("survival_status", state.survival_status),
            civil_servant=state.civil_servant, merged_into=str(state.merged_into) if state.merged_into else None,
            events=stream.events,
        )

    @strawberry.field(description="A unit by its code.")
    async def unit(self, info: Info, code: str) -> Unit | None:
        who = ctx(info).who()
        row = await ctx(info).read(read.unit, code)
        if row is None:
            if who.role == "unit_agent" and who.unit_code != code.strip().upper():
                raise NotAuthorised("this unit is outside your scope")
            return None
        require_unit(who, row["unit_code"], row["region"])
        return Unit(code=row["unit_code"], name=row["name"], region=row["region"],
                    unit_type=coded("unit_type", row["unit_type"]),
                    management_type=coded("unit_management_type", row["management_type"]),
                    status=coded("unit_enrollment_status", row["status"]))

    @strawberry.field(description="Duplicate-enrollment sets with the cleanup rule for each, a page at a time.")
    async def duplicate_sets(self, info: Info, kind: str | None = None, region_prefix: str | None = None,
                             first: int = 50, after: str | None = None,
                             as_of: date | None = None) -> DuplicateSetConnection:
        who, rows = await cohort_rows(info, read.duplicate_sets, DUPLICATE_KINDS, kind, region_prefix, first, after)
        day = as_of or ctx(info).today()
        edges = [DuplicateSetEdge(cursor=cursor_of(r["first_enrollment_id"], r["second_enrollment_id"]), node=DuplicateSet(
            kind=r["kind"], kind_label=DUPLICATE_KINDS[r["kind"]], id_number=shown_id(who, r["id_number"]),
            name=r["name"], first_enrollment_id=r["first_enrollment_id"],
            second_enrollment_id=r["second_enrollment_id"], first_region=r["first_region"],
            second_region=r["second_region"], first_insurance_type=coded("insurance_type", r["first_type"]),
            second_insurance_type=coded("insurance_type", r["second_type"]), overlap_from=r["overlap_from"],
            overlap_days=max((day - r["overlap_from"]).days, 0), keep_enrollment_id=r["keep_enrollment_id"],
            clean_enrollment_id=r["clean_enrollment_id"], confirming_region=r["confirming_region"],
            action=action(r["kind"], r["overlap_from"], day))) for r in rows[:first]]
        return DuplicateSetConnection(edges=edges, page_info=page_info(rows, first, edges))

    @strawberry.field(description="Record anomalies (seed 000 附件2), a page at a time.")
    async def anomalies(self, info: Info, kind: str | None = None, region: str | None = None, first: int = 50,
                        after: str | None = None) -> AnomalyConnection:
        who, rows = await cohort_rows(info, read.anomalies, ANOMALY_KINDS, kind, region, first, after)
        edges = [AnomalyEdge(cursor=cursor_of(r["subject_id"], r["kind"]), node=Anomaly(
            subject_kind=r["subject_kind"], subject_code=shown_id(who, r["subject_code"]), region=r["region"],
            kind=r["kind"], kind_label=ANOMALY_KINDS[r["kind"]], detail=r["detail"])) for r in rows[:first]]
        return AnomalyConnection(edges=edges, page_info=page_info(rows, first, edges))

    @strawberry.field(description="A national code table with Chinese labels, e.g. insurance_type, person_type.")
    def code_table(self, info: Info, name: str) -> CodeTableView:
        ctx(info).who()
        table = tables().get(name)
        if table is None:
            raise NotAuthorised(f"no code table {name}; known: {', '.join(tables())}")
        return CodeTableView(name=table.name, label=table.label, api_name=table.api_name,
                             codes=[Coded(code=c, label=text) for c, text in table.codes.items()])
