"""The fast path for legacy extracts: many import commands, one transaction per batch.

Each row is decided by the same pure `decide_import` as a single command, encoded by the
same codec with the same per-stream hash chain, and logged in `command_log` under a
command id derived from (source file, row) — so a bulk-written event is indistinguishable
from one written through `Ledger.execute`, and importing a file twice records nothing new.
Rows go in with COPY while holding the recorder's table lock (as its own inserts do), so
readers following the log never skip a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby, islice
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
import psycopg

from domain import commands as cmd
from domain import events as ev
from domain.codec import GENESIS, decode, encode, event_hash
from domain.errors import DomainError, FieldError
from domain.id_numbers import person_id
from domain.legacy import decide_import
from domain.person_state import Person, evolve
from projections.runner import EVENTS_TABLE

IMPORT_NAMESPACE = uuid5(NAMESPACE_URL, "canbao:legacy-import")
BATCH_ROWS = 5_000


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_written: int = 0
    rows_already_recorded: int = 0
    events_written: int = 0
    duplicates_flagged: int = 0
    refused: list[tuple[int, tuple[FieldError, ...]]] = field(default_factory=list)


def row_command_id(source: str, row: int) -> UUID:
    return uuid5(IMPORT_NAMESPACE, f"{source}\x00{row}")


@dataclass
class _Stream:
    version: int = 0
    last_hash: str = GENESIS
    person: Person = field(default_factory=Person)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class BulkImporter:
    def __init__(self, datastore, actor: ev.Actor, batch_rows: int = BATCH_ROWS) -> None:
        self.datastore = datastore
        self.actor = actor
        self.batch_rows = batch_rows

    def run(self, commands: Iterable[cmd.ImportLegacyEnrollment | tuple[int, tuple[FieldError, ...]]],
            progress: Callable[[ImportSummary], None] | None = None) -> ImportSummary:
        """Import rows in order; a tuple instead of a command is a row the reader refused."""
        summary = ImportSummary()
        for batch in batched(commands, self.batch_rows):
            self._write_batch(batch, summary)
            if progress:
                progress(summary)
        return summary

    def _write_batch(self, batch: list, summary: ImportSummary) -> None:
        now = datetime.now(timezone.utc)
        rows = [c for c in batch if isinstance(c, cmd.ImportLegacyEnrollment)]
        for item in batch:
            if not isinstance(item, cmd.ImportLegacyEnrollment):
                summary.refused.append(item)
        summary.rows_read += len(batch)
        with self.datastore.transaction(commit=True) as curs:
            # The recorder's own lock: commit order = notification order for log readers.
            curs.execute(f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE")
            streams = self._load(curs, {person_id(c.certificate_type, c.id_number) for c in rows})
            stored, log = [], []
            for command in rows:
                pid = person_id(command.certificate_type, command.id_number)
                stream = streams.setdefault(pid, _Stream())
                command_id = row_command_id(command.source, command.row)
                context = cmd.Context(command_id=command_id, actor=self.actor, channel="import", now=now)
                try:
                    events = decide_import(command, stream.person, context)
                except DomainError as refused:
                    summary.refused.append((command.row, refused.errors))
                    continue
                if not events:
                    summary.rows_already_recorded += 1
                    continue
                meta = ev.Meta(command_id=command_id, command="ImportLegacyEnrollment", recorded_at=now,
                               actor=self.actor, channel="import", service_item=None, evidence=(command.source,))
                positions = []
                for event in events:
                    stream.version += 1
                    topic, state = encode(event, meta.model_copy(update={"prev_hash": stream.last_hash}))
                    stored.append((pid, stream.version, topic, state))
                    stream.last_hash = event_hash(pid, stream.version, topic, state)
                    stream.person = evolve(stream.person, event)
                    positions.append([str(pid), stream.version])
                    if isinstance(event, ev.LegacyEnrollmentImported) and event.duplicates_of:
                        summary.duplicates_flagged += 1
                log.append((command_id, "ImportLegacyEnrollment", now, orjson.dumps(positions).decode()))
                summary.rows_written += 1
            self._copy(curs, stored, log)
            summary.events_written += len(stored)

    @staticmethod
    def _load(curs: psycopg.Cursor, ids: set[UUID]) -> dict[UUID, _Stream]:
        """The persons of a batch who already have a history: their state, version and last hash."""
        rows = curs.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version", (sorted(ids),))
        loaded: dict[UUID, _Stream] = {}
        for stream_id, group in groupby(rows, key=lambda r: r["originator_id"]):
            stream = loaded[stream_id] = _Stream()
            for r in group:
                state = bytes(r["state"])
                stream.person = evolve(stream.person, decode(r["topic"], state)[0])
                stream.version = r["originator_version"]
                stream.last_hash = event_hash(stream_id, stream.version, r["topic"], state)
        return loaded

    @staticmethod
    def _copy(curs: psycopg.Cursor, stored: list[tuple], log: list[tuple]) -> None:
        with curs.copy(f"COPY {EVENTS_TABLE} (originator_id, originator_version, topic, state) FROM STDIN") as copy:
            for row in stored:
                copy.write_row(row)
        with curs.copy("COPY command_log (command_id, command_type, recorded_at, positions) FROM STDIN") as copy:
            for row in log:
                copy.write_row(row)
        curs.execute(f"NOTIFY {EVENTS_TABLE}")

