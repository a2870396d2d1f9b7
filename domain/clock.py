"""Time as the domain sees it: an injected clock and Beijing's business date.

Filing days, campaign windows and deadlines are counted on the Asia/Shanghai calendar
(UTC+8 all year: China has kept no daylight saving time since 1991), so between 00:00 and
08:00 Beijing time the business date is already the next UTC day's. Domain code never
reads the wall clock: the application passes `now` in, from a `Clock` it was given.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Protocol

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    """Where the ledger reads the time: the system clock in production, a fixed or offset
    one in drills and tests."""

    def now(self) -> datetime:
        """An aware instant."""
        ...


# A system time after every recording: the ledger as it stands, whatever the clock reads. A read
# "as known now" asks for this, not for the clock's now: on a fixed drill clock each command is
# recorded a tick after the one before (application/service.py after_the_last), after the clock's
# now, and a read at the clock's now would leave out what the drill recorded.
ALL_RECORDED = datetime.max.replace(tzinfo=timezone.utc)


def business_date(moment: datetime) -> date:
    """The date in Beijing at `moment` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("business_date needs an aware datetime; naive times are ambiguous")
    return moment.astimezone(BEIJING).date()
