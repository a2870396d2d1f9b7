"""The event store: eventsourcing's PostgreSQL application recorder, with our codec.

One `append` is one transaction across every stream a command touches: all expected
versions are checked together (the recorder's primary key on stream and version), and the
command's log row is written in the same transaction, so a retried command id records
nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from domain.codec import GENESIS, MetaJson, decode, encode, event_hash
from domain.events import Event, Meta
from domain.timeline import RecordedEvent

from projections.runner import EVENTS_TABLE  # pinned: never derived from a class name


class Conflict(Exception):
    """Another writer got there first (a stream version or the command id); reload and retry."""


@dataclass(frozen=True)
class Stream:
    stream_id: UUID
    events: list[RecordedEvent]
    last_hash: str

    @property
    def version(self) -> int:
        return self.events[-1].version if self.events else 0


@dataclass(frozen=True)
class Appended:
    stream_id: UUID
    expected_version: int
    last_hash: str
    events: Sequence[Event]


def stream_from(stream_id: UUID, rows: Iterable[tuple[int, str, bytes]]) -> Stream:
    """A stream decoded from its stored rows (version, topic, state), with its last row's hash."""
    events, last_hash = [], GENESIS
    for version, topic, state in rows:
        event, meta = decode(topic, bytes(state))
        events.append(RecordedEvent(stream_id, version, event, meta))
        last_hash = event_hash(stream_id, version, topic, bytes(state))
    return Stream(stream_id, events, last_hash)


def chain_rows(stream_id: UUID, after_version: int, after_hash: str, events: Sequence[Event], meta: MetaJson,
               command_id: bytes | None = None) -> tuple[list[StoredEvent], list[str]]:
    """Encode events to follow (after_version, after_hash): each names the hash of the one
    before. Returns the rows to store and the hashes chained: each row's previous, then the last."""
    stored, hashes = [], [after_hash]
    for version, event in enumerate(events, start=after_version + 1):
        topic, state = encode(event, meta.render(hashes[-1], command_id))
        stored.append(StoredEvent(stream_id, version, topic, state))
        hashes.append(event_hash(stream_id, version, topic, state))
    return stored, hashes


def chain(stream_id: UUID, after_version: int, after_hash: str, events: Sequence[Event], meta: Meta,
          ) -> tuple[list[StoredEvent], list[RecordedEvent], str]:
    """As chain_rows, with the events as recorded (meta and prev_hash) and the new last hash."""
    stored, hashes = chain_rows(stream_id, after_version, after_hash, events, MetaJson(meta))
    recorded = [RecordedEvent(stream_id, row.originator_version, event, meta.model_copy(update={"prev_hash": prev}))
                for row, event, prev in zip(stored, events, hashes[:-1], strict=True)]
    return stored, recorded, hashes[-1]


def command_log_row(meta: Meta, recorded: Sequence[RecordedEvent]) -> tuple:
    """The command log's row: which stream positions this command id recorded."""
    positions = orjson.dumps([[str(r.stream_id), r.version] for r in recorded]).decode()
    return (meta.command_id, meta.command, meta.recorded_at, positions)


class LedgerRecorder(PostgresApplicationRecorder):
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        log = kwargs.get("command_log")
        if log is not None:
            curs.execute(
                "INSERT INTO command_log (command_id, command_type, recorded_at, positions)"
                " VALUES (%s, %s, %s, %s)",
                log, prepare=True,
            )


def datastore_for(conninfo: str, pool_size: int = 4) -> PostgresDatastore:
    parts = conninfo_to_dict(conninfo)
    return PostgresDatastore(
        dbname=parts.get("dbname", "postgres"),
        host=parts.get("host", "localhost"),
        port=parts.get("port", 5432),
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
            rows, events, _ = chain(batch.stream_id, batch.expected_version, batch.last_hash, batch.events, meta)
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
            row = conn.execute("SELECT positions FROM command_log WHERE command_id = %s", (command_id,)).fetchone()
        if row is None:
            return None
        wanted = [(UUID(s), v) for s, v in row["positions"]]
        streams = {s: self.load(s) for s, _ in wanted}
        return [r for s, v in wanted for r in streams[s].events if r.version == v]
