"""Working days: statutory holidays and the weekend days declared working days (调休).

Official data comes from the chinesecalendar package (2004 to the latest year it knows) and
from working_days.toml for later years once published. A date in a year with neither is
counted on weekdays only, and every answer built on it says it is provisional — a deadline
computed late in 2026 can fall in 2027, and the ledger must say so rather than crash.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # some day counted lies in a year without an official schedule


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads((Path(__file__).parent / "working_days.toml").read_text(encoding="utf-8"))


Schedule = tuple[frozenset[date], frozenset[date]]  # holidays on weekdays, weekend days worked (调休)
# Official schedules loaded after release (`canbao calendar load`, kept in the database).
_LOADED: dict[int, Schedule] = {}


def register_schedule(year: int, holidays: Iterable[date], working_weekends: Iterable[date]) -> None:
    """Take a year's official schedule (the State Council's notice) from now on."""
    _LOADED[year] = (frozenset(holidays), frozenset(working_weekends))


def _schedule(year: int) -> Schedule | None:
    if year in _LOADED:
        return _LOADED[year]
    return _shipped(year)


@cache
def _shipped(year: int) -> Schedule | None:
    entry = _data()["years"].get(str(year))
    if entry is None:
        return None
    return (frozenset(map(date.fromisoformat, entry.get("holidays", ()))),
            frozenset(map(date.fromisoformat, entry.get("working_weekends", ()))))


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day, is that answer provisional)."""
    if day.year not in _LOADED:  # a schedule loaded by an office is the newest word on its year
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            pass
    schedule = _schedule(day.year)
    if schedule is None:
        return day.weekday() < 5, True
    holidays, working_weekends = schedule
    return (day in working_weekends) or (day.weekday() < 5 and day not in holidays), False


def add_working_days(start: date, days: int) -> Deadline:
    """The date `days` working days after `start` (start itself not counted)."""
    day, counted, provisional = start, 0, False
    while counted < days:
        day += timedelta(days=1)
        working, unsure = is_working_day(day)
        provisional |= unsure
        counted += working
    return Deadline(day, provisional)


def transfer_deadline(accepted: date, schedule: str | None = None) -> Deadline:
    """When a transfer accepted on `accepted` must be completed, under the schedule in force."""
    deadlines = _data()["deadlines"]
    steps = deadlines["schedules"][schedule or deadlines["in_force"]]
    return add_working_days(accepted, sum(steps.values()))
