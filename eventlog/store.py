"""Loading and appending streams: eventsourcing's PostgreSQL recorder, with our codec.

One `append` is one transaction across every stream a command touches: all expected
versions are checked together (the recorder's primary key on stream and version), and the
command's log row is written in the same transaction, so a retried command id records
nothing new.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import AsyncConnection, Connection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed

from domain.events import Event, Meta
from domain.timeline import RecordedEvent
from eventlog.chain import Stream, chain, stream_from
from eventlog.tables import COMMAND_LOG_TABLE, EVENTS_TABLE, one_creator_at_a_time

_LOAD = (f"SELECT originator_version, topic, state FROM {EVENTS_TABLE} WHERE originator_id = %s "
         "ORDER BY originator_version")
_APPEND = ("SELECT canbao_append(%s, %s, %s, %s::jsonb, %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], "
           "%s::text)")


class Conflict(Exception):
    """Another writer got there first (a stream version or the command id); reload and retry."""


@dataclass(frozen=True)
class Appended:
    stream_id: UUID
    expected_version: int
    last_hash: str
    events: Sequence[Event]


def command_log_row(meta: Meta, recorded: Sequence[RecordedEvent]) -> tuple[Any, ...]:
    """The command log's row: which stream positions this command id recorded."""
    positions = orjson.dumps([[str(r.stream_id), r.version] for r in recorded]).decode()
    return (meta.command_id, meta.command, meta.recorded_at, positions)


@dataclass(frozen=True)
class Timeouts:
    """What a connection of a serving ledger may take before it gives up: no statement, lock
    wait or idle transaction holds a client (or the event table's lock) for long, and a
    storage outage is answered in seconds, not after the pool's retries."""

    connect: float = 5.0
    statement: float = 0  # seconds; 0: none (batch jobs: imports, rebuilds, verification)
    lock: int = 0
    idle_in_transaction: float = 0
    attempts: int = 10  # eventsourcing's own retry count for a failed statement


SERVING = Timeouts(connect=2.0, statement=15.0, lock=5, idle_in_transaction=10.0, attempts=2)


class LedgerDatastore(PostgresDatastore):
    def __init__(self, *args: Any, statement_timeout: float = 0, **kwargs: Any) -> None:
        self.statement_timeout = statement_timeout
        super().__init__(*args, **kwargs)

    def session_limits(self) -> list[Composed]:
        """What every new connection is told, by this blocking pool and by a server's awaited one:
        the limit on an idle transaction (eventsourcing's own) and, when one is set, on a statement."""
        limits = [SQL("SET idle_in_transaction_session_timeout = {}").format(
            int(self.idle_in_transaction_session_timeout * 1000))]
        if self.statement_timeout:
            limits.append(SQL("SET statement_timeout = {}").format(int(self.statement_timeout * 1000)))
        return limits

    def after_connect_func(self) -> Callable[[Connection[Any]], None]:
        limits = self.session_limits()

        def after_connect(conn: Connection[Any]) -> None:
            conn.autocommit = True  # as eventsourcing's own: each statement is its transaction unless told
            for limit in limits:
                conn.execute(limit)

        return after_connect


class LedgerRecorder(PostgresApplicationRecorder):
    """eventsourcing's recorder, writing the command log in the same transaction, and trying a
    failed statement `attempts` times (the library tries ten) so an outage is reported fast."""

    def __init__(self, *args: Any, attempts: int = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts

    def create_table(self) -> None:
        with one_creator_at_a_time(self.datastore):
            super().create_table()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert, statement for statement — the command-log row, its lock_timeout
        and EXCLUSIVE table lock (commit order = notification order for readers), NOTIFY, the
        rows — but in one statement (migration 0021), the rows as plain arrays: the library sends
        an array of a composite type, which psycopg dumps in Python (7% of a server's CPU)."""
        return cast("Sequence[int] | None", self._tried(lambda: self._insert(stored_events, kwargs.get("command_log"))))

    def _insert(self, stored_events: Sequence[StoredEvent], log: tuple[Any, ...] | None) -> None:
        command_id, command_type, recorded_at, positions = log or (None, None, None, None)
        with self.datastore.get_connection() as conn:  # autocommit: the statement is the transaction
            conn.execute(_APPEND, (command_id, command_type, recorded_at, positions,
                                   [e.originator_id for e in stored_events],
                                   [e.originator_version for e in stored_events],
                                   [e.topic for e in stored_events], [e.state for e in stored_events],
                                   f"{self.datastore.lock_timeout}s"), prepare=True)

    def _tried(self, call: Callable[[], object]) -> object:
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except (InterfaceError, OperationalError):
                if attempt == self.attempts:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")


def datastore_for(conninfo: str, pool_size: int = 4, timeouts: Timeouts = Timeouts()) -> LedgerDatastore:
    parts = {name: str(value) for name, value in conninfo_to_dict(conninfo).items() if value is not None}
    return LedgerDatastore(
        dbname=parts.get("dbname", "postgres"),
        host=parts.get("host", "localhost"),
        port=parts.get("port", "5432"),
        user=parts.get("user", "postgres"),
        password=parts.get("password", ""),
        pool_size=pool_size,
        max_overflow=4,
        connect_timeout=timeouts.connect,
        lock_timeout=timeouts.lock,
        idle_in_transaction_session_timeout=timeouts.idle_in_transaction,
        statement_timeout=timeouts.statement,
    )


async def load_awaited(conn: AsyncConnection[Any], stream_id: UUID) -> Stream:
    """A stream, read on the running event loop (a server's history queries): the same prepared
    statement as `EventStore.load` without a worker thread, whose hand-over cost a history query
    0.17 ms of its 1.8 at 1,000,000 persons (its load 0.41 ms that way, 0.24 ms this one)."""
    async with conn.cursor(row_factory=tuple_row) as curs:
        await curs.execute(_LOAD, (stream_id,), prepare=True)
        return stream_from(stream_id, await curs.fetchall())


class EventStore:
    def __init__(self, conninfo: str, pool_size: int = 4, timeouts: Timeouts = Timeouts()) -> None:
        self.datastore = datastore_for(conninfo, pool_size, timeouts)
        self.recorder = LedgerRecorder(self.datastore, events_table_name=EVENTS_TABLE, attempts=timeouts.attempts)
        self.recorder.create_table()

    def close(self) -> None:
        self.datastore.close()

    def load(self, stream_id: UUID) -> Stream:
        # One prepared statement outside a transaction: the recorder's select_events brackets it
        # in BEGIN and COMMIT, three round trips where one does (0.46 ms against 0.09 ms here).
        def select() -> list[Any]:
            with self.datastore.get_connection() as conn:
                return conn.execute(_LOAD, (stream_id,), prepare=True).fetchall()

        rows = cast("list[dict[str, Any]]", self.recorder._tried(select))
        return stream_from(stream_id, ((r["originator_version"], r["topic"], r["state"]) for r in rows))

    def append(self, batches: Sequence[Appended], meta: Meta) -> list[RecordedEvent]:
        """Write every batch in one transaction, chaining hashes; raise Conflict if beaten."""
        stored: list[StoredEvent] = []
        recorded: list[RecordedEvent] = []
        for batch in batches:
            rows, events, _ = chain(batch.stream_id, batch.expected_version, batch.last_hash,
                                    batch.events, meta)
            stored += rows
            recorded += events
        if not stored:
            return []
        try:
            self.recorder.insert_events(stored, command_log=command_log_row(meta, recorded))
        except IntegrityError as clash:
            raise Conflict(str(clash)) from None
        return recorded

    def logged(self, command_id: UUID) -> list[RecordedEvent] | None:
        """The events a command id already recorded, or None if it never ran."""
        with self.datastore.get_connection() as conn:
            row = conn.execute(f"SELECT positions FROM {COMMAND_LOG_TABLE} WHERE command_id = %s",
                               (command_id,)).fetchone()
        if row is None:
            return None
        wanted = [(UUID(s), v) for s, v in row["positions"]]
        streams = {s: self.load(s) for s, _ in wanted}
        return [r for s, v in wanted for r in streams[s].events if r.version == v]
