"""Of several server processes on one database, one follows the log for the projections (the
holder of an advisory lock); when it stops, another takes over and misses nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from uuid import uuid4

import canbao.services
from application.clock import SystemClock
from application.service import Ledger
from canbao.services import Services
from domain import commands as cmd
from eventlog.store import EventStore
from projections.runner import ProjectionRunner
from tests.support.builders import CLERK, register, resident_id


def eventually(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def projected(store: EventStore, id_number: str) -> bool:
    with store.datastore.get_connection() as conn:
        return conn.execute("SELECT 1 FROM person_view WHERE id_number = %s", (id_number,)).fetchone() is not None


def test_one_process_follows_and_another_takes_over_when_it_stops(store, empty_database, monkeypatch):
    monkeypatch.setattr(canbao.services, "STANDBY_SECONDS", 0.2)
    processes = [Services(empty_database, store, Ledger(store), ProjectionRunner(store.datastore, empty_database),
                          SystemClock()) for _ in range(2)]
    for p in processes:
        p.follow_projections()
    try:
        assert eventually(lambda: any(p.following.is_set() for p in processes))
        time.sleep(0.5)  # the other has had time to try for the lock
        assert sum(p.following.is_set() for p in processes) == 1, "exactly one follows"
        ledger = processes[0].ledger
        first, second = resident_id(seq="501"), resident_id(seq="502")
        ledger.execute(register(first), cmd.Context(command_id=uuid4(), actor=CLERK, now=datetime.now(timezone.utc)))
        assert eventually(lambda: projected(store, first))
        leader = next(p for p in processes if p.following.is_set())
        leader.stop()
        standby = next(p for p in processes if p is not leader)
        assert eventually(standby.following.is_set), "the standby takes over"
        ledger.execute(register(second), cmd.Context(command_id=uuid4(), actor=CLERK, now=datetime.now(timezone.utc)))
        assert eventually(lambda: projected(store, second))
    finally:
        for p in processes:
            p.stop()


