"""Several processes starting at once on one database all start: the workers of `canbao serve
--workers N`, or two servers, each create eventsourcing's tables and functions as they start."""

from __future__ import annotations

import threading

from eventlog.store import EventStore
from projections.runner import ProjectionRunner
from tests.conftest import throwaway_database

STARTS = 6


def start(conninfo: str, ready: threading.Barrier, failures: list[str]) -> None:
    """One ledger's start, as a server process makes it, when all are ready."""
    ready.wait()
    try:
        store = EventStore(conninfo)
        ProjectionRunner(store.datastore)
        store.close()
    except Exception as failed:  # noqa: BLE001 — every failure is the finding
        failures.append(f"{type(failed).__name__}: {failed}")


def test_six_ledgers_starting_at_once_on_a_new_database_all_start(server_conninfo):
    # Before one creator at a time: 24 of 30 such starts failed in PostgreSQL's catalog
    # (pg_type's unique index, "tuple concurrently updated") or on the tracking table's own row.
    for _ in range(3):
        with throwaway_database(server_conninfo, "canbao_starts") as conninfo:
            ready, failures = threading.Barrier(STARTS), []
            starts = [threading.Thread(target=start, args=(conninfo, ready, failures)) for _ in range(STARTS)]
            for thread in starts:
                thread.start()
            for thread in starts:
                thread.join()
            assert failures == []
