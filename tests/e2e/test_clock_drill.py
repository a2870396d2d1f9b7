"""A drill runs the whole ledger on a fixed clock, and says so wherever anyone looks."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from ledger_api.auth import Principal
from tests.conftest import throwaway_database
from tests.e2e.client import Client
from tests.e2e.conftest import serving

DRILL = "2026-12-21T01:30+08:00"  # Beijing's 21 December; still the 20th in UTC
DRILL_INSTANT = datetime(2026, 12, 20, 17, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def drill_server(server_conninfo):
    with throwaway_database(server_conninfo, "canbao_drill") as database, serving(
            database, "--clock", DRILL) as base:
        yield base


def test_a_fixed_clock_is_said_on_the_health_check(drill_server):
    clock = httpx.get(f"{drill_server}/healthz").json()["clock"]
    assert clock["kind"] == "fixed"
    assert datetime.fromisoformat(clock["now"]) == DRILL_INSTANT
    assert "2026-12-21" in clock["description"]


def test_events_are_recorded_at_the_drill_clock_time(drill_server):
    office = Client(drill_server, Principal("clerk-drill", "office", region="350100"))
    result = office.do("registerPerson", {
        "effective": "2026-12-01", "idNumber": "11010119900307803X", "name": "张三", "gender": "1",
        "birthDate": "1990-03-07", "ethnicity": "01"}, select="events { recordedAt }")
    assert {datetime.fromisoformat(e["recordedAt"]) for e in result["events"]} == {DRILL_INSTANT}
