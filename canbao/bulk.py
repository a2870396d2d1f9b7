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
from pathlib import Path
from uuid import NAMESPACE_URL, UUID, uuid5

import psycopg
from eventsourcing.persistence import StoredEvent

from canbao.audit import Digest, record_checkpoint
from canbao.legacy_file import read_commands
from canbao.store import chain, command_log_row, stream_from
from domain import commands as cmd
from domain import events as ev
from domain.codec import GENESIS
from domain.errors import DomainError, FieldError
from domain.id_numbers import person_id
from domain.legacy import decide_import
from domain.person_state import Person, fold
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
    checkpoint: Digest | None = None  # the audit checkpoint recorded after the import


def row_command_id(source: str, row: int) -> UUID:
    return uuid5(IMPORT_NAMESPACE, f"{source}\x00{row}")


@dataclass
class _Tip:
    """Where a person's stream ends while a batch is being decided."""

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
            pids = [person_id(c.certificate_type, c.id_number) for c in rows]
            tips = self._load(curs, set(pids))
            stored, log = [], []
            for pid, command in zip(pids, rows, strict=True):
                tip = tips.setdefault(pid, _Tip())
                context = cmd.Context(command_id=row_command_id(command.source, command.row), actor=self.actor,
                                      channel="import", evidence=(command.source,), now=now)
                try:
                    events = decide_import(command, tip.person, context)
                except DomainError as refused:
                    summary.refused.append((command.row, refused.errors))
                    continue
                if not events:
                    summary.rows_already_recorded += 1
                    continue
                meta = context.meta("ImportLegacyEnrollment")
                rows_, recorded, tip.last_hash = chain(pid, tip.version, tip.last_hash, events, meta)
                stored += rows_
                log.append(command_log_row(meta, recorded))
                tip.version += len(events)
                tip.person = fold(events, tip.person)
                summary.duplicates_flagged += sum(
                    1 for e in events if isinstance(e, ev.LegacyEnrollmentImported) and e.duplicates_of)
                summary.rows_written += 1
            self._copy(curs, stored, log)
            summary.events_written += len(stored)

    @staticmethod
    def _load(curs: psycopg.Cursor, ids: set[UUID]) -> dict[UUID, _Tip]:
        """The persons of a batch who already have a history: their state, version and last hash."""
        rows = curs.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version", (sorted(ids),))
        tips = {}
        for stream_id, group in groupby(rows, key=lambda r: r["originator_id"]):
            stream = stream_from(stream_id, ((r["originator_version"], r["topic"], r["state"]) for r in group))
            tips[stream_id] = _Tip(stream.version, stream.last_hash, fold(r.event for r in stream.events))
        return tips

    @staticmethod
    def _copy(curs: psycopg.Cursor, stored: list[StoredEvent], log: list[tuple]) -> None:
        with curs.copy(f"COPY {EVENTS_TABLE} (originator_id, originator_version, topic, state) FROM STDIN") as copy:
            for e in stored:
                copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))
        with curs.copy("COPY command_log (command_id, command_type, recorded_at, positions) FROM STDIN") as copy:
            for row in log:
                copy.write_row(row)
        curs.execute(f"NOTIFY {EVENTS_TABLE}")



def import_extract(datastore, path: Path, status_3_means: str | None = None,
                   progress: Callable[[ImportSummary], None] | None = None) -> ImportSummary:
    """Import one legacy extract as an import job named after the file, then record an audit
    checkpoint: an offline job hashes what it wrote, rather than leaving it to the API server."""
    importer = BulkImporter(datastore, ev.Actor(kind="import_job", id=f"import:{path.name}"))
    summary = importer.run(read_commands(path, source=path.name, status_3_means=status_3_means), progress)
    if summary.events_written:
        summary.checkpoint = record_checkpoint(datastore)
    return summary
