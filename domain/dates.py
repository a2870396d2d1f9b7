"""The date formats of legacy extracts: YYYYMMDD for days, YYYYMM for contribution months."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.errors import refuse

_DAY = re.compile(r"[0-9]{8}")
_MONTH = re.compile(r"[0-9]{6}")


HORIZON_DAYS = 366  # how far ahead a change may be recorded to take effect (a year's notice)


def within_horizon(effective: date, today: date, horizon_days: int = HORIZON_DAYS) -> None:
    """Refuse a date so far ahead that it is a typing slip (9999-12-31), not a plan."""
    if effective > today + timedelta(days=horizon_days):
        raise refuse("effective_date", "effective_date.beyond_horizon",
                     f"{effective} is more than {horizon_days} days after today ({today})")


def month_after(month: date) -> date:
    """The first day after the month `month` falls in: a YYYYMM month (its first day) covers it all."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def parse_day(raw: str, field: str) -> date:
    text = raw.strip()
    if not _DAY.fullmatch(text):
        raise refuse(field, "date.format", f"“{raw}” is not a date in the form YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise refuse(field, "date.calendar", f"“{raw}” is not a calendar date") from None


def parse_month(raw: str, field: str) -> date:
    """A YYYYMM month as its first day."""
    text = raw.strip()
    if not _MONTH.fullmatch(text) or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 1900:
        raise refuse(field, "month.format", f"“{raw}” is not a month in the form YYYYMM")
    return date(int(text[:4]), int(text[4:]), 1)
