"""When a request's stage is due, in working days (domain/working_days.py), and how many
working days each step took. Derived on reading, never stored: when next year's official
schedule is loaded, a provisional deadline becomes exact without rewriting anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.requests.catalogue import Catalogue
from domain.requests.state import (
    ACCEPTED,
    APPLIED,
    CONTACT_LETTER,
    FINISHED,
    INFORMATION_SHEET,
    ServiceRequest,
)
from domain.working_days import Deadline, add_working_days, is_working_day


@dataclass(frozen=True)
class Clock:
    """The days a request's deadline can run from."""

    applied_on: date
    accepted_on: date | None = None
    step: str | None = None  # a linked request's step (the leaving region's information sheet)
    letter_on: date | None = None  # the transfer's contact letter sent
    sheet_on: date | None = None  # the transfer's information sheet received


def due_date(catalogue: Catalogue, item_code: str, online_review: bool, clock: Clock) -> Deadline | None:
    """When the request's current step must be done: a filing waiting for an office's review
    within the online limit of its filing (seed 002: 提交申报数据后3个工作日内); a transfer's steps
    each within its days of the step before (seed 003 item 11: the letter 5 days from
    acceptance, the sheet 10 from the letter, completion 5 from the sheet); any other request
    within its item's limit of acceptance (the clock runs from 受理); None before acceptance."""
    if online_review:
        return add_working_days(clock.applied_on, catalogue.online_limit_days)
    item = catalogue.items.get(item_code)
    if clock.accepted_on is None or item is None:
        return None
    steps = dict(item.steps)
    if clock.step:
        return add_working_days(clock.accepted_on, steps[clock.step])
    if steps and clock.sheet_on:
        return add_working_days(clock.sheet_on, steps["completion"])
    if steps and clock.letter_on:
        return add_working_days(clock.letter_on, steps[INFORMATION_SHEET])
    if steps:
        return add_working_days(clock.accepted_on, steps[CONTACT_LETTER])
    return add_working_days(clock.accepted_on, item.limit_days)


def due(request: ServiceRequest, catalogue: Catalogue) -> Deadline | None:
    applied, accepted = request.on(APPLIED), request.on(ACCEPTED)
    letter, sheet = request.on(CONTACT_LETTER), request.on(INFORMATION_SHEET)
    if applied is None:
        return None
    return due_date(catalogue, request.item_code, request.online_review, Clock(
        applied.on, accepted.on if accepted else None, request.step, letter.on if letter else None,
        sheet.on if sheet else None))


def is_overdue(stage: str, deadline: Deadline | None, today: date) -> bool:
    """Past its deadline and not finished (completed or rejected)."""
    return stage not in FINISHED and deadline is not None and today > deadline.due



def working_days_between(start: date, end: date) -> tuple[int, bool]:
    """Working days after `start` up to and including `end`, and whether that count is provisional."""
    counted, provisional, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        working, unsure = is_working_day(day)
        counted += working
        provisional |= unsure
    return counted, provisional
