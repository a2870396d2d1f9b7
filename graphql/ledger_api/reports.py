"""The cleanup reports of seed 001 as tables the API answers: 附件2 per region (before and after the
cleaning, as known at two system times), 附件3 (the not-enrolled of a register comparison), 附件4
and 附件5 (the duplicate lists). The same rows the CLI writes to XLSX; an office gets its region's
rows, auditors and analysts all (analysts with ID numbers masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.clock import ALL_RECORDED
from domain.register import REASONS
from ledger_api.auth import NotAuthorised
from ledger_api.context import ctx
from ledger_api.persons import aware
from ledger_api.sealing import masked_text
from projections.register_comparison import latest_comparison, non_enrolled_table
from projections.reports import COLUMNS, LIST_HEADERS, cleanup_summary, duplicate_list

ANNEXES = {"2": "附件2 基本医疗保险参保情况工作汇总表", "3": "附件3 不参加基本医疗保险人员情况表",
           "4": "附件4 全区制度内重复参保清理情况表", "5": "附件5 全区跨制度重复参保清理情况表"}


@strawberry.type(description="A report as a table: its title, headers and rows of text, as the XLSX has them.")
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list[str]]


def _text(value: Any) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def annex_rows(conn: Any, annex: str, as_of: date, before: datetime, after: datetime,
               comparison: UUID | None) -> tuple[list[str], list[list[Any]]]:
    """The annex's headers and rows (the first cell of every row is its region)."""
    if annex == "2":
        return ["医保区划", *(header for _, header in COLUMNS)], [
            [r["region"], *(r[key] for key, _ in COLUMNS)] for r in cleanup_summary(conn, as_of, before, after)]
    if annex == "3":
        chosen = comparison or latest_comparison(conn)
        table = non_enrolled_table(conn, chosen) if chosen else []
        return ["户籍地区划", "合计", *REASONS.values()], [
            [r["region"], r["total"], *(r[reason] for reason in REASONS)] for r in table]
    return list(LIST_HEADERS), [list(line) for line in duplicate_list(conn, "within" if annex == "4" else "cross",
                                                                      as_of, after)]


@strawberry.type
class ReportQueries:
    @strawberry.field(description=(
        "A cleanup report of seed 001 as a table: annex 2 (per region, on `asOf`, as known at `before` and "
        "`after`), 3 (the not-enrolled of a register comparison, the latest if none is named), 4 or 5 (the "
        "duplicate lists on `asOf`). An office gets its region's rows."))
    async def cleanup_report(self, info: Info, annex: str, as_of: date = date(2019, 12, 31),
                             before: datetime | None = None, after: datetime | None = None,
                             comparison_id: UUID | None = None) -> ReportTable:
        who = ctx(info).who()
        if who.role not in ("office", "auditor", "analyst"):
            raise NotAuthorised("reports are for offices, auditors and analysts")
        if annex not in ANNEXES:
            raise NotAuthorised(f"annex must be one of {', '.join(ANNEXES)}")
        headers, rows = await ctx(info).read(annex_rows, annex, as_of, aware(before) or ALL_RECORDED,
                                             aware(after) or ALL_RECORDED,
                                             comparison_id)
        if who.role == "office":
            rows = [r for r in rows if who.covers_region(str(r[0]))]
        cells = [[_text(v) for v in r] for r in rows]
        if who.masks_id_numbers:
            cells = [[masked_text(c) for c in r] for r in cells]
        return ReportTable(title=ANNEXES[annex], headers=headers, rows=cells)
