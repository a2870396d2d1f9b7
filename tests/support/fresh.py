"""A fresh database filled by one import, and what it then holds: for comparing two ways of
importing the same files (one process or several)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from canbao.migrations import apply_migrations
from eventlog.store import EventStore
from eventlog.tables import EVENTS_TABLE
from eventlog.verify import verify
from tests.conftest import throwaway_database


def histories(conninfo: str) -> dict[str, list[tuple]]:
    """Every stream's events as decided (valid-time facts, not when they were recorded)."""
    store = EventStore(conninfo)
    try:
        with store.datastore.get_connection() as conn:
            ids = [r["originator_id"] for r in conn.execute(f"SELECT DISTINCT originator_id FROM {EVENTS_TABLE}")]
        return {str(i): [(r.version, r.event, r.meta.command_id) for r in store.load(i).events] for i in ids}
    finally:
        store.close()


def imported_into_fresh_database(server: str, load: Callable[[EventStore, str], Any]) -> tuple[dict, Any]:
    """`load(store, conninfo)` run on a migrated, empty database; every stream's history after
    it (with every hash chain checked) and what `load` returned."""
    with throwaway_database(server) as conninfo:
        apply_migrations(conninfo)
        store = EventStore(conninfo)
        try:
            outcome = load(store, conninfo)
            assert verify(store.datastore).clean
        finally:
            store.close()
        return histories(conninfo), outcome
