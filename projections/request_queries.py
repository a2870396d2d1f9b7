"""The 台账 of service requests (seed 004 建立本地区业务受理和办理进度台账), read a keyset page at
a time in the caller's scope; deadlines and overdue are derived from the working-day calendar
on reading (domain/requests/deadlines.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.requests.catalogue import catalogue
from domain.requests.deadlines import Clock, due_date, is_overdue, working_days_between
from domain.working_days import Deadline


@dataclass(frozen=True)
class Scope:
    """What a caller may see: requests of a region prefix, of one unit, of one person; all if none."""

    region_prefix: str | None = None
    unit_code: str | None = None
    person_id: UUID | None = None


@dataclass(frozen=True)
class Filters:
    stage: str | None = None
    item_code: str | None = None
    accepted_by: str | None = None
    handled_by: str | None = None  # the insured region whose office reviews and completes
    overdue: bool | None = None
    request_id: UUID | None = None


def deadline_of(row: dict[str, Any]) -> Deadline | None:
    return due_date(catalogue(), row["item_code"], row["online_review"], Clock(
        row["applied_on"], row["accepted_on"], row["step"], row["letter_on"], row["sheet_on"]))


def working_days_used(row: dict[str, Any], today: date) -> int:
    """Working days from the start of the clock (acceptance, or filing for an online review) to
    completion or rejection, or to today while it is open."""
    start = row["applied_on"] if row["online_review"] else row["accepted_on"]
    if start is None:
        return 0
    end = row["completed_on"] or (row["reviewed_on"] if row["stage"] == "rejected" else None) or today
    return working_days_between(start, end)[0]


def with_deadline(row: dict[str, Any], today: date) -> dict[str, Any]:
    """The row with its deadline, whether it is overdue, and the working days used so far."""
    row["deadline"] = deadline_of(row)
    row["overdue"] = is_overdue(row["stage"], row["deadline"], today)
    row["working_days_used"] = working_days_used(row, today)
    return row


def in_scope(scope: Scope, row: dict[str, Any]) -> bool:
    return ((scope.region_prefix is None or row["region"].startswith(scope.region_prefix))
            and (scope.unit_code is None or row["unit_code"] == scope.unit_code)
            and (scope.person_id is None or row["person_id"] == scope.person_id))


def service_requests(conn: Any, scope: Scope, filters: Filters, after: tuple[datetime, UUID] | None, first: int,
                     today: date) -> list[dict[str, Any]]:
    """Up to `first` + 1 rows (one more tells whether there is a next page), oldest filing first."""
    where: list[str] = ["TRUE"]
    args: list[Any] = []
    for column, value in (("unit_code", scope.unit_code), ("person_id", scope.person_id),
                          ("stage", filters.stage), ("item_code", filters.item_code),
                          ("accepted_by", filters.accepted_by), ("region", filters.handled_by),
                          ("request_id", filters.request_id)):
        if value is not None:
            where.append(f"{column} = %s")
            args.append(value)
    if scope.region_prefix:
        where.append("region LIKE %s")
        args.append(scope.region_prefix + "%")
    if filters.overdue:
        where.append("stage NOT IN ('completed', 'rejected')")
    rows: list[dict[str, Any]] = []
    cursor = after
    while len(rows) <= first:
        page_where, page_args = list(where), list(args)
        if cursor is not None:
            page_where.append("(applied_at, request_id) > (%s, %s)")
            page_args += list(cursor)
        batch = conn.execute(
            f"SELECT * FROM service_request WHERE {' AND '.join(page_where)} "  # noqa: S608 — columns are ours
            "ORDER BY applied_at, request_id LIMIT %s", (*page_args, first + 1)).fetchall()
        for row in batch:
            with_deadline(row, today)
        rows += [r for r in batch if filters.overdue is None or r["overdue"] == filters.overdue]
        if len(batch) <= first:
            break
        cursor = (batch[-1]["applied_at"], batch[-1]["request_id"])
    return rows[:first + 1]


@dataclass
class OfficeFigures:
    """One office's line of the 台账 summary (seed 004: 定期通报工作进度)."""

    office: str
    received: int = 0  # accepted by this office
    completed: int = 0
    in_time: int = 0  # completed on or before the deadline
    overdue: int = 0  # open and past the deadline
    stage_days: dict[str, list[int]] = field(default_factory=dict)  # working days each stage took

    def average(self, stage: str) -> float | None:
        days = self.stage_days.get(stage)
        return sum(days) / len(days) if days else None


STAGE_SPANS = (("受理", "applied_on", "accepted_on"), ("审核", "accepted_on", "reviewed_on"),
               ("办结", "reviewed_on", "completed_on"))


def office_summary(rows: list[dict[str, Any]]) -> list[OfficeFigures]:
    """Per accepting office (the online hall as "网上"): received, completed, in time, overdue,
    and the average working days of each stage — from rows `service_requests` returned."""
    offices: dict[str, OfficeFigures] = {}
    for row in rows:
        if row["accepted_on"] is None:
            continue
        figures = offices.setdefault(row["accepted_by"] or "网上", OfficeFigures(row["accepted_by"] or "网上"))
        figures.received += 1
        figures.overdue += row["overdue"]
        if row["stage"] == "completed":
            figures.completed += 1
            figures.in_time += bool(row["deadline"] and row["completed_on"] <= row["deadline"].due)
        for stage, start, end in STAGE_SPANS:
            begin = row[start] if start != "reviewed_on" else (row["reviewed_on"] or row["accepted_on"])
            if begin and row[end]:
                figures.stage_days.setdefault(stage, []).append(working_days_between(begin, row[end])[0])
    return sorted(offices.values(), key=lambda f: f.office)
