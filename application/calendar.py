"""Next year's official working-day schedule (the State Council's 放假安排), loaded as data.

The file is TOML in the shape of domain/working_days.toml:

    [years.2027]
    holidays = ["2027-01-01", ...]          # holidays that fall on weekdays
    working_weekends = ["2027-02-07", ...]  # weekend days declared working days (调休)

It is checked (every date in its year, holidays on weekdays, working weekends on weekends,
no date in both), kept in the database with where it came from, and registered with the
domain's calendar, so every deadline computed from then on is exact rather than provisional.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from domain.working_days import register_schedule


class CalendarFileError(ValueError):
    """The file is not a schedule the ledger can take; the message says where and why."""


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: tuple[date, ...]
    working_weekends: tuple[date, ...]


def _dates(year: int, entry: dict[str, Any], key: str) -> tuple[date, ...]:
    days = []
    for text in entry.get(key, []):
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            raise CalendarFileError(f"[years.{year}] {key}: “{text}” is not a date YYYY-MM-DD") from None
        if day.year != year:
            raise CalendarFileError(f"[years.{year}] {key}: {day} is not in {year}")
        days.append(day)
    return tuple(sorted(days))


def read_schedule_file(path: Path) -> list[YearSchedule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as bad:
        raise CalendarFileError(f"{path.name}: {bad}") from None
    years = data.get("years")
    if not isinstance(years, dict) or not years:
        raise CalendarFileError(f"{path.name}: no [years.YYYY] table")
    schedules = []
    for key, entry in years.items():
        if not (key.isdigit() and len(key) == 4 and isinstance(entry, dict)):
            raise CalendarFileError(f"[years.{key}] is not a year's table")
        year = int(key)
        holidays, weekends = _dates(year, entry, "holidays"), _dates(year, entry, "working_weekends")
        if not holidays:
            raise CalendarFileError(f"[years.{year}] holidays: none given; a year has statutory holidays")
        if wrong := [d for d in holidays if d.weekday() >= 5]:
            raise CalendarFileError(f"[years.{year}] holidays: {wrong[0]} is a weekend day; list weekday holidays")
        if wrong := [d for d in weekends if d.weekday() < 5]:
            raise CalendarFileError(f"[years.{year}] working_weekends: {wrong[0]} is not a Saturday or Sunday")
        schedules.append(YearSchedule(year, holidays, weekends))
    return schedules


def store_schedules(conn: Any, schedules: list[YearSchedule], source: str) -> None:
    """Keep them (a later load of a year replaces the earlier one) and take them from now on."""
    with conn.transaction():
        for s in schedules:
            conn.execute(
                "INSERT INTO working_calendar (year, holidays, working_weekends, source) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, "
                "working_weekends = EXCLUDED.working_weekends, source = EXCLUDED.source, loaded_at = now()",
                (s.year, list(s.holidays), list(s.working_weekends), source))
    for s in schedules:
        register_schedule(s.year, s.holidays, s.working_weekends)


def register_stored(conn: Any) -> list[int]:
    """Take every schedule kept in the database; the years taken."""
    rows = conn.execute("SELECT year, holidays, working_weekends FROM working_calendar ORDER BY year").fetchall()
    for row in rows:
        register_schedule(row["year"], row["holidays"], row["working_weekends"])
    return [row["year"] for row in rows]
