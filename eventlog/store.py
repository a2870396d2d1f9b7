"""Loading and appending streams: eventsourcing's PostgreSQL recorder, with our codec.

One `append` is one transaction across every stream a command touches: all expected
versions are checked together (the recorder's primary key on stream and version), and the
command's log row is written in the same transaction, so a retried command id records
nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from domain.events import Event, Meta
from domain.timeline import RecordedEvent
from eventlog.chain import Stream, chain, stream_from
from eventlog.tables import COMMAND_LOG_TABLE, EVENTS_TABLE


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


class LedgerRecorder(PostgresApplicationRecorder):
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        log = kwargs.get("command_log")
        if log is not None:
            curs.execute(
                f"INSERT INTO {COMMAND_LOG_TABLE} (command_id, command_type, recorded_at, positions)"
                " VALUES (%s, %s, %s, %s)",
                log, prepare=True,
            )


def datastore_for(conninfo: str, pool_size: int = 4) -> PostgresDatastore:
    parts = {name: str(value) for name, value in conninfo_to_dict(conninfo).items() if value is not None}
    return PostgresDatastore(
        dbname=parts.get("dbname", "postgres"),
        host=parts.get("host", "localhost"),
        port=parts.get("port", "5432"),
        user=parts.get("user", "postgres"),
        password=parts.get("password", ""),
        pool_size=pool_size,
        max_overflow=4,
        connect_timeout=5,
    )


class EventStore:
    def __init__(self, conninfo: str, pool_size: int = 4) -> None:
        self.datastore = datastore_for(conninfo, pool_size)
        self.recorder = LedgerRecorder(self.datastore, events_table_name=EVENTS_TABLE)
        self.recorder.create_table()

    def close(self) -> None:
        self.datastore.close()

    def load(self, stream_id: UUID) -> Stream:
        rows = self.recorder.select_events(stream_id)
        return stream_from(stream_id, ((r.originator_version, r.topic, r.state) for r in rows))

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
