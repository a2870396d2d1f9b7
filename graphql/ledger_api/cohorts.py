"""Cohort lists from the projections, a keyset page at a time: duplicate sets and anomalies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast, overload
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.access import Principal
from domain.clock import ALL_RECORDED
from domain.errors import FieldError
from ledger_api.auth import NotAuthorised
from ledger_api.codes import Coded, coded
from ledger_api.context import ctx
from ledger_api.errors import InputError
from ledger_api.permissions import region_scope, shown_id
from ledger_api.persons import aware
from ledger_api.sealing import CursorRefused, Sealer, masked_text
from projections import queries as read
from projections.anomalies import KINDS as ANOMALY_KINDS
from projections.duplicates import KINDS as DUPLICATE_KINDS
from projections.duplicates import action
from projections.duplicates_as_of import duplicate_sets_as_of

MAX_PAGE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    # The page's last edge: its cursor is sealed only when a client asks for endCursor (sealing is
    # a keyed hash and an encryption: 0.2 ms of a 50-row page's 3.4 ms, for a field most pages omit).
    last: strawberry.Private[Any] = None

    @strawberry.field
    def end_cursor(self) -> str | None:
        end = self.last
        if end is None:
            return None
        return end.sealed() if isinstance(end, SealedEdge) else end.cursor


@strawberry.type(description=(
    "Two enrollments of one person in force at once, with the seed-001 rule for cleaning them. A cross-scheme "
    "overlap shorter than one calendar year is only marked (跨制度参保不足一年…原则上不做清理); from one calendar "
    "year on it is a cleaning candidate."))
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
    overlap_from: date = strawberry.field(description=(
        "The first day both enrollments were in force without a break; a change of person type within an "
        "enrollment (e.g. retirement) does not restart it."))
    overlap_days: int = strawberry.field(description="Days from overlapFrom to asOf (for display; the one-year "
                                                     "rule counts calendar years, not 365 days).")
    keep_enrollment_id: UUID | None = strawberry.field(description=(
        "The enrollment the rule keeps in principle (跨制度: the employee one); null where the office decides with "
        "the person (制度内)."))
    clean_enrollment_id: UUID | None = strawberry.field(description="The enrollment the rule cleans in principle.")
    confirming_region: str | None = strawberry.field(description=(
        "The pooling region whose office confirms with the person: the most recent one for employees, the household "
        "(户籍地) region for residents, the resident enrollment's region across schemes."))
    action: str = strawberry.field(description=(
        "The rule as of asOf: under one calendar year of cross-scheme overlap, marked only; from one calendar year "
        "(2019-03-01 → 2020-03-01, not 2020-02-29), cleaned."))


def row_column(name: str) -> Any:
    """A field that is the row's column as it is."""
    return property(lambda view: view.row[name])


def shown_enrollment(name: str) -> Any:
    """A field that is an enrollment id of the row, a pseudonym for a role that sees masked numbers."""
    return property(lambda view: shown_uuid(view.info, view.who, view.row[name]))


class DuplicateSetRow:
    """A row of duplicate_set answering as a DuplicateSet: each field worked out only when the
    query names it. A page of 50 names three or four of the sixteen, and working out all of
    them (masking, pseudonyms, the code labels, the rule's wording) was 0.28 ms of the page."""

    __slots__ = ("row", "who", "info", "day")

    def __init__(self, row: dict[str, Any], who: Principal, info: Info, day: date) -> None:
        self.row, self.who, self.info, self.day = row, who, info, day

    kind = row_column("kind")
    name = row_column("name")
    first_region = row_column("first_region")
    second_region = row_column("second_region")
    overlap_from = row_column("overlap_from")
    confirming_region = row_column("confirming_region")
    first_enrollment_id = shown_enrollment("first_enrollment_id")
    second_enrollment_id = shown_enrollment("second_enrollment_id")
    keep_enrollment_id = shown_enrollment("keep_enrollment_id")
    clean_enrollment_id = shown_enrollment("clean_enrollment_id")

    @property
    def kind_label(self) -> str:
        return DUPLICATE_KINDS[self.row["kind"]]

    @property
    def id_number(self) -> str:
        return shown_id(self.who, self.row["id_number"])

    @property
    def first_insurance_type(self) -> Coded:
        return coded("insurance_type", self.row["first_type"])

    @property
    def second_insurance_type(self) -> Coded:
        return coded("insurance_type", self.row["second_type"])

    @property
    def overlap_days(self) -> int:
        return max((self.day - self.row["overlap_from"]).days, 0)

    @property
    def action(self) -> str:
        return action(self.row["kind"], self.row["overlap_from"], self.day)


@strawberry.type
class SealedEdge:
    """An edge whose cursor is sealed only when asked for: a page lists 50 and most clients read none."""

    key: strawberry.Private[tuple[Any, ...]]
    sealer: strawberry.Private[Sealer]

    def sealed(self) -> str:
        return self.sealer.seal(*self.key)

    @strawberry.field
    def cursor(self) -> str:
        return self.sealed()


@strawberry.type
class DuplicateSetEdge(SealedEdge):
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
class AnomalyEdge(SealedEdge):
    node: Anomaly


@strawberry.type
class AnomalyConnection:
    edges: list[AnomalyEdge]
    page_info: PageInfo


def parse_cursor(info: Info, cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        first, second = ctx(info).sealer.open(cursor, 2)
    except CursorRefused as refused:
        raise InputError([FieldError("after", "cursor.unknown", str(refused))]) from None
    return first, second


@overload
def shown_uuid(info: Info, who: Principal, identifier: UUID) -> UUID: ...


@overload
def shown_uuid(info: Info, who: Principal, identifier: UUID | None) -> UUID | None: ...


def shown_uuid(info: Info, who: Principal, identifier: UUID | None) -> UUID | None:
    """Identifiers derived from a person's identity are pseudonyms for roles that see masked numbers."""
    if identifier is None or not who.masks_id_numbers:
        return identifier
    return ctx(info).sealer.pseudonym(identifier)


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise NotAuthorised(f"first must be between 1 and {MAX_PAGE}")
    return first


def cohort_page(info: Info, kinds: dict[str, str], kind: str | None, region: str | None, first: int,
                after: str | None) -> tuple[Principal, tuple[str | None, str, Any, int]]:
    """Who asks, and what page of a cohort list they may read: kind, region prefix in their
    scope, keyset and size (one row more is read, to tell if there is more)."""
    who = ctx(info).who()
    prefix = region_scope(who, region)
    if kind is not None and kind not in kinds:
        raise NotAuthorised(f"kind must be one of {', '.join(kinds)}")
    return who, (kind, prefix, parse_cursor(info, after), page_size(first))


def page_info(rows: list[dict], first: int, edges: list[Any]) -> PageInfo:
    return PageInfo(has_next_page=len(rows) > first, last=edges[-1] if edges else None)


@strawberry.type
class CohortQueries:
    @strawberry.field(description=(
        "Duplicate-enrollment sets with the cleanup rule for each, a page at a time: those open on `asOf` "
        "(both enrollments in force that day) as known at `knownAt`; without either, the current sets."))
    async def duplicate_sets(self, info: Info, kind: str | None = None, region_prefix: str | None = None,
                             first: int = 50, after: str | None = None, as_of: date | None = None,
                             known_at: datetime | None = None) -> DuplicateSetConnection:
        day = as_of or ctx(info).today()
        who, page = cohort_page(info, DUPLICATE_KINDS, kind, region_prefix, first, after)
        if as_of is None and known_at is None:
            rows = await ctx(info).rows(read.duplicate_sets(*page))
        else:
            rows = await ctx(info).read(duplicate_sets_as_of, *page, day, aware(known_at) or ALL_RECORDED)
        # Read by attribute as a DuplicateSet's plain fields are (the type has no is_type_of check).
        edges = [DuplicateSetEdge(key=(r["first_enrollment_id"], r["second_enrollment_id"]), sealer=ctx(info).sealer,
                                  node=cast(DuplicateSet, DuplicateSetRow(r, who, info, day)))
                 for r in rows[:first]]
        return DuplicateSetConnection(edges=edges, page_info=page_info(rows, first, edges))

    @strawberry.field(description="Record anomalies (seed 000 附件2), a page at a time.")
    async def anomalies(
        self, info: Info, kind: str | None = None, region: str | None = None, first: int = 50, after: str | None = None
    ) -> AnomalyConnection:
        who, page = cohort_page(info, ANOMALY_KINDS, kind, region, first, after)
        rows = await ctx(info).rows(read.anomalies(*page))
        edges = [
            AnomalyEdge(
                key=(r["subject_id"], r["kind"]), sealer=ctx(info).sealer,
                node=Anomaly(
                    subject_kind=r["subject_kind"],
                    subject_code=shown_id(who, r["subject_code"]),
                    region=r["region"],
                    kind=r["kind"],
                    kind_label=ANOMALY_KINDS[r["kind"]],
                    detail=masked_text(r["detail"]) if who.masks_id_numbers else r["detail"],
                ),
            )
            for r in rows[:first]
        ]
        return AnomalyConnection(edges=edges, page_info=page_info(rows, first, edges))
