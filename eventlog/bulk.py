"""Appending many commands' rows at once, with binary COPY, as the bulk import does.

Rows are framed by `eventlog.copy_binary` and chained by `eventlog.chain` exactly as a
command's are, so a bulk-written event is indistinguishable from one appended by the
store. They go in while holding the recorder's own table lock (as its inserts do), so
readers following the log in notification order never skip a batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from psycopg import sql

from eventlog.copy_binary import HEADER, TRAILER
from eventlog.tables import COMMAND_LOG_TABLE, EVENTS_TABLE

EVENT_COLUMNS = "originator_id, originator_version, topic, state"
LOG_COLUMNS = "command_id, command_type, recorded_at, positions"


def append_binary(curs: Any, events: list[bytes], log: list[bytes]) -> None:
    """Write framed rows (each list starts with the COPY header) in the caller's transaction.
    A unique violation means a concurrent writer got to one of these streams first."""
    with streaming_log(curs) as send:
        send(b"".join(log[1:]))
    append_events(curs, events)


@contextmanager
def streaming_log(curs: Any) -> Iterator[Callable[[bytes], None]]:
    """A COPY into the command log, open for framed rows (without the header) to be sent as
    they are decided: PostgreSQL inserts them on its own core while the importer decides the
    next ones. (The command log is where it pays: its key is a random UUID, so each row lands
    on its own index page, which a large log holds outside shared buffers — 20 µs a row at
    a million commands; the events of a person lie together.) `append_events` follows."""
    # A batch lost in a crash after its commit returned is imported again, idempotently.
    curs.execute("SET LOCAL synchronous_commit = off")
    with curs.copy(f"COPY {COMMAND_LOG_TABLE} ({LOG_COLUMNS}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(HEADER)
        yield copy.write
        copy.write(TRAILER)


def append_events(curs: Any, events: list[bytes]) -> None:
    """The event rows (the list starts with the COPY header), and the notice to the log's followers."""
    # Held only to write: commit order = notification order for readers following the log.
    curs.execute(f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE")
    if len(events) > 1:
        with curs.copy(f"COPY {EVENTS_TABLE} ({EVENT_COLUMNS}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(b"".join(events) + TRAILER)
    curs.execute(f"NOTIFY {EVENTS_TABLE}")


def _logged(command_type: str | None, since: datetime | None) -> sql.Composable:
    """The command-log rows of `command_type`, recorded at `since` or later (each when given)."""
    conditions = ([sql.SQL("command_type = {}").format(sql.Literal(command_type))] if command_type else []) + \
        ([sql.SQL("recorded_at >= {}").format(sql.Literal(since))] if since else [])
    return sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true")


def dump_binary(conn: Any, events: IO[bytes], log: IO[bytes], after: int = 0, command_type: str | None = None,
                since: datetime | None = None) -> None:
    """The log after notification `after` and the command log (of `command_type` only, and
    recorded at `since` or later, when given) as binary COPY data, in notification order."""
    # COPY takes no bound parameters: the values are quoted as SQL literals.
    for out, query in ((events, sql.SQL(f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id > {{}} "
                                        "ORDER BY notification_id").format(sql.Literal(after))),
                       (log, sql.SQL(f"SELECT {LOG_COLUMNS} FROM {COMMAND_LOG_TABLE} WHERE {{}}").format(
                           _logged(command_type, since)))):
        with conn.cursor().copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query)) as copy:
            for chunk in copy:
                out.write(chunk)


@contextmanager
def empty_replicas(conn: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Empty copies of the log's two tables (indexes, defaults, sequence), dropped after use:
    what a COPY of the same rows costs this storage is the ceiling for any importer."""
    events, log = f"{prefix}_events", f"{prefix}_log"
    conn.execute(f"CREATE TABLE {events} (LIKE {EVENTS_TABLE} INCLUDING ALL)")
    conn.execute(f"CREATE TABLE {log} (LIKE {COMMAND_LOG_TABLE} INCLUDING ALL)")
    try:
        yield events, log
    finally:
        conn.execute(f"DROP TABLE {events}, {log}")


def copy_in_place(conn: Any, events: IO[bytes], log: IO[bytes], before: int, command_type: str,
                  since: datetime | None = None) -> float:
    """The storage's ceiling for an import into a ledger that holds events already (`canbao bench`):
    seconds to COPY the rows it wrote (`dump_binary`'s of the events after notification `before`
    and of the command log's `command_type` rows, recorded at `since` or later when given) into the
    log's own tables as they stood before it. In one transaction per table the rows are deleted and
    COPYed back (only the COPY timed), and everything is rolled back: nothing of the log changes.
    (Its commit is not timed: a lower ceiling than the empty copies', whose COPY commits.)"""
    seconds = 0.0
    for table, dump, columns, written in (
            (EVENTS_TABLE, events, EVENT_COLUMNS, sql.SQL("notification_id > {}").format(sql.Literal(before))),
            (COMMAND_LOG_TABLE, log, LOG_COLUMNS, _logged(command_type, since))):
        dump.seek(0)
        with conn.transaction(force_rollback=True):
            conn.execute(sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table), written))
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy:
                while chunk := dump.read(1 << 20):
                    copy.write(chunk)
            seconds += time.perf_counter() - started
    return seconds
