"""The ledger against the population register: the findings of a comparison, a keyset page at a
time, in an office's region (the not-enrolled by household region, the others by enrollment)."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.register import REASONS
from ledger_api.auth import NotAuthorised
from ledger_api.cohorts import PageInfo, page_info, page_size, parse_cursor
from ledger_api.context import ctx
from ledger_api.permissions import region_scope, shown_id
from ledger_api.sealing import masked_text
from projections.register_comparison import KINDS, findings, latest_comparison


@strawberry.type(description=(
    "What a comparison with the population register found: a suspected fake enrollment (not_in_register, "
    "mismatch), a death the ledger has not recorded (death_unrecorded), a person not enrolled (not_enrolled, with "
    "附件3's reason). Nothing in the ledger changes until an office acts."))
class RegisterFinding:
    kind: str
    kind_label: str
    region: str
    household_region: str | None
    id_number: str
    name: str
    reason: str | None
    reason_label: str | None
    detail: str


@strawberry.type
class RegisterFindingEdge:
    cursor: str
    node: RegisterFinding


@strawberry.type
class RegisterFindingConnection:
    comparison_id: UUID | None
    edges: list[RegisterFindingEdge]
    page_info: PageInfo


@strawberry.type
class RegisterQueries:
    @strawberry.field(description=(
        "Findings of a comparison with the population register (`canbao reference compare`; the latest if no id), "
        "by kind and region, a page at a time."))
    async def register_findings(self, info: Info, comparison_id: UUID | None = None, kind: str | None = None,
                                region: str | None = None, first: int = 50,
                                after: str | None = None) -> RegisterFindingConnection:
        who = ctx(info).who()
        prefix = region_scope(who, region)
        if kind is not None and kind not in KINDS:
            raise NotAuthorised(f"kind must be one of {', '.join(KINDS)}")
        cursor = parse_cursor(info, after)
        keyset = tuple(cursor[0].split("\x1e")) if cursor else None
        chosen = comparison_id or await ctx(info).read(latest_comparison)
        if chosen is None:
            return RegisterFindingConnection(comparison_id=None, edges=[],
                                             page_info=PageInfo(has_next_page=False))
        rows = await ctx(info).read(findings, chosen, kind, prefix, keyset, page_size(first))
        edges = [RegisterFindingEdge(
            cursor=ctx(info).sealer.seal("\x1e".join((r["kind"], r["region"], r["id_number"])), str(chosen)),
            node=RegisterFinding(
                kind=r["kind"], kind_label=KINDS[r["kind"]], region=r["region"],
                household_region=r["household_region"], id_number=shown_id(who, r["id_number"]), name=r["name"],
                reason=r["reason"], reason_label=REASONS.get(r["reason"] or ""),
                detail=masked_text(r["detail"]) if who.masks_id_numbers else r["detail"]))
            for r in rows[:first]]
        return RegisterFindingConnection(comparison_id=chosen, edges=edges, page_info=page_info(rows, first, edges))
