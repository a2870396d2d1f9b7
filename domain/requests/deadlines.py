"""When a request's stage is due, in working days (domain/working_days.py), and how many
working days each step took. Derived on reading, never stored: when next year's official
schedule is loaded, a provisional deadline becomes exact without rewriting anything."""

from __future__ import annotations

from datetime import date, timedelta

from domain.requests.catalogue import Catalogue
from domain.requests.state import ACCEPTED, APPLIED, FINISHED, ServiceRequest
from domain.working_days import Deadline, add_working_days, is_working_day


def due_date(catalogue: Catalogue, item_code: str, online_review: bool, applied_on: date,
             accepted_on: date | None) -> Deadline | None:
    """When a request must be completed: a filing waiting for an office's review within the
    online limit of its filing (seed 002: 提交申报数据后3个工作日内); any other within its item's
    limit of acceptance (seed 003: the clock runs from 受理); None before it is accepted."""
    if online_review:
        return add_working_days(applied_on, catalogue.online_limit_days)
    item = catalogue.items.get(item_code)
    if accepted_on is None or item is None:
        return None
    return add_working_days(accepted_on, item.limit_days)


def due(request: ServiceRequest, catalogue: Catalogue) -> Deadline | None:
    applied, accepted = request.on(APPLIED), request.on(ACCEPTED)
    if applied is None:
        return None
    return due_date(catalogue, request.item_code, request.online_review, applied.on,
                    accepted.on if accepted else None)


def is_overdue(stage: str, deadline: Deadline | None, today: date) -> bool:
    """Past its deadline and not finished (completed or rejected)."""
    return stage not in FINISHED and deadline is not None and today > deadline.due


def overdue(request: ServiceRequest, catalogue: Catalogue, today: date) -> bool:
    return is_overdue(request.stage, due(request, catalogue), today)


def working_days_between(start: date, end: date) -> tuple[int, bool]:
    """Working days after `start` up to and including `end`, and whether that count is provisional."""
    counted, provisional, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        working, unsure = is_working_day(day)
        counted += working
        provisional |= unsure
    return counted, provisional
