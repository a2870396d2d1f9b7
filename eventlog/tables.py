"""The names of the log's tables, pinned: never derived from a class or application name."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EVENTS_TABLE = "canbao_events"
COMMAND_LOG_TABLE = "command_log"
CHECKPOINT_TABLE = "audit_checkpoint"

# eventsourcing's recorders create their tables, indexes and functions whenever one starts
# (IF NOT EXISTS, CREATE OR REPLACE; the tracking recorder first looks whether its table is
# there, then inserts its own migration row). Two processes starting at once — the workers of
# `canbao serve --workers N`, two servers on one database — collide in PostgreSQL's catalog
# ("duplicate key value violates unique constraint pg_type_typname_nsp_index", "tuple
# concurrently updated") or on that row: seen 24 times in 30 simultaneous starts on new
# databases. A recorder is created holding this lock, so one process creates at a time.
SCHEMA_LOCK = 0x63616E64  # any fixed number, distinct from the migrations' lock


@contextmanager
def one_creator_at_a_time(datastore: Any) -> Iterator[None]:
    """While a recorder creates its tables (on the pool's other connections): no other creator."""
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
