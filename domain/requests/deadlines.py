"""When a request's stage is due, in working days (domain/working_days.py), and how many
working days each step took. Derived on reading, never stored: when next year's official
schedule is loaded, a provisional deadline becomes exact without rewriting anything."""

from __future__ import annotations

from datetime import date, timedelta

from domain.requests.catalogue import Catalogue
from domain.requests.state import ACCEPTED, APPLIED, FINISHED, ServiceRequest
from domain.working_days import Deadline, add_working_days, is_working_day


def due(request: ServiceRequest, catalogue: Catalogue) -> Deadline | None:
    """When the request must be completed: a filing waiting for an office's review within the
    online limit of its filing (seed 002); any other within its item's limit of acceptance
    (seed 003: the clock runs from 受理); None before it is accepted."""
    if request.online_review:
        applied = request.on(APPLIED)
        return add_working_days(applied.on, catalogue.online_limit_days) if applied else None
    accepted = request.on(ACCEPTED)
    item = catalogue.items.get(request.item_code)
    if accepted is None or item is None:
        return None
    return add_working_days(accepted.on, item.limit_days)


def overdue(request: ServiceRequest, catalogue: Catalogue, today: date) -> bool:
    deadline = due(request, catalogue)
    return request.stage not in FINISHED and deadline is not None and today > deadline.due


def working_days_between(start: date, end: date) -> tuple[int, bool]:
    """Working days after `start` up to and including `end`, and whether that count is provisional."""
    counted, provisional, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        working, unsure = is_working_day(day)
        counted += working
        provisional |= unsure
    return counted, provisional
