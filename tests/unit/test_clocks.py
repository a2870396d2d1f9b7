"""The business date is Beijing's, and the clocks a drill can choose say what they are."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from application.clock import ClockSpecError, FixedClock, OffsetClock, SystemClock, clock_from_spec
from domain.clock import BEIJING, business_date
from domain.commands import Context
from domain.events import Actor


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(("instant", "day"), [
    ("2026-12-18T15:59:59", date(2026, 12, 18)),  # 23:59:59 in Beijing
    ("2026-12-18T16:00:00", date(2026, 12, 19)),  # 00:00 in Beijing: the UTC date is still the 18th
    ("2026-12-31T16:00:00", date(2027, 1, 1)),
])
def test_the_business_date_turns_at_midnight_in_beijing_not_in_utc(instant, day):
    assert business_date(utc(instant)) == day
    context = Context(command_id=uuid4(), actor=Actor(kind="office", id="c"), now=utc(instant))
    assert context.today == day


def test_a_naive_time_has_no_business_date():
    with pytest.raises(ValueError):
        business_date(datetime(2026, 12, 18, 12, 0))


def test_no_clock_spec_means_the_system_clock():
    assert isinstance(clock_from_spec(None), SystemClock)
    assert isinstance(clock_from_spec(""), SystemClock)


def test_a_fixed_clock_stands_still_and_reads_times_without_offset_as_beijing():
    clock = clock_from_spec("2026-12-21T09:00")
    assert isinstance(clock, FixedClock)
    assert clock.now() == clock.now() == datetime(2026, 12, 21, 9, 0, tzinfo=BEIJING)


def test_an_offset_clock_starts_where_told_and_runs_on():
    clock = clock_from_spec("from:2026-12-21T09:00+08:00")
    assert isinstance(clock, OffsetClock)
    first = clock.now()
    assert timedelta(0) <= first - datetime(2026, 12, 21, 1, 0, tzinfo=timezone.utc) < timedelta(seconds=5)
    assert clock.now() >= first


def test_a_clock_spec_that_is_not_a_time_is_refused_with_an_example():
    with pytest.raises(ClockSpecError, match="2026-12-21T09:00"):
        clock_from_spec("next tuesday")
