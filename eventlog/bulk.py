"""Appending many commands' rows at once, with binary COPY, as the bulk import does.

Rows are framed by `eventlog.copy_binary` and chained by `eventlog.chain` exactly as a
command's are, so a bulk-written event is indistinguishable from one appended by the
store. They go in while holding the recorder's own table lock (as its inserts do), so
readers following the log in notification order never skip a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def dump_binary(conn: Any, events: IO[bytes], log: IO[bytes], after: int = 0, command_type: str | None = None,
                ) -> None:
    """The log after notification `after` and the command log (of `command_type` only, when
    given) as binary COPY data, in notification order."""
    # COPY takes no bound parameters: the values are quoted as SQL literals.
    of_type = sql.SQL("WHERE command_type = {}").format(sql.Literal(command_type)) if command_type else sql.SQL("")
    for out, query in ((events, sql.SQL(f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id > {{}} "
                                        "ORDER BY notification_id").format(sql.Literal(after))),
                       (log, sql.SQL(f"SELECT {LOG_COLUMNS} FROM {COMMAND_LOG_TABLE} {{}}").format(of_type))):
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
