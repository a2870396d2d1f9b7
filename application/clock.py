"""The clocks the ledger can run on, and the `--clock` option that picks one.

`SystemClock` is the default. Drills and tests run the whole ledger on a `FixedClock`
(time stands still) or an `OffsetClock` (starts at a given instant and runs on), chosen
with `--clock` / `CANBAO_CLOCK`; `canbao serve` says so at start-up, in the log and on
/healthz, and it is never on by default.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from domain.clock import BEIJING, business_date

OFFSET_PREFIX = "from:"


class SystemClock:
    kind = "system"

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def describe(self) -> str:
        return "system clock"


@dataclass(frozen=True)
class FixedClock:
    """Always the same instant."""

    at: datetime
    kind: str = "fixed"

    def now(self) -> datetime:
        return self.at

    def describe(self) -> str:
        return f"FIXED clock at {self.at.astimezone(BEIJING).isoformat()} (business date {business_date(self.at)})"


@dataclass(frozen=True)
class OffsetClock:
    """Starts at `start` when created and runs on with the system clock."""

    start: datetime
    kind: str = "offset"
    _began: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._began)

    def describe(self) -> str:
        return f"OFFSET clock, started at {self.start.astimezone(BEIJING).isoformat()}"


LedgerClock = SystemClock | FixedClock | OffsetClock


class ClockSpecError(ValueError):
    pass


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read as Beijing time (the business clock)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockSpecError(
            f"“{text}” is not an ISO 8601 time, e.g. 2026-12-21T09:00+08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def clock_from_spec(spec: str | None) -> LedgerClock:
    """`None` or "" → the system clock; "2026-12-21T09:00+08:00" → fixed there;
    "from:2026-12-21T09:00+08:00" → starts there and runs on."""
    if not spec:
        return SystemClock()
    if spec.startswith(OFFSET_PREFIX):
        return OffsetClock(parse_instant(spec[len(OFFSET_PREFIX):]))
    return FixedClock(parse_instant(spec))
