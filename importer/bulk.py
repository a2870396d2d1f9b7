"""The fast path for legacy extracts: many import commands, one transaction per batch.

Each row is decided as `decide_import` decides a single command — common rows by the fast
lane (importer/lane.py, byte-equal to the reference by test), the rest by the
reference path itself — encoded by the same codec with the same per-stream hash chain,
and logged in `command_log` under a command id derived from (source file, row). So a
bulk-written event is indistinguishable from one written through `Ledger.execute`, and
importing a file twice records nothing new. Rows go in with binary COPY while holding the
recorder's table lock (as its own inserts do), so readers following the log never skip a
batch; worker processes share the persons of a file between them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID

import orjson
import psycopg
from eventsourcing.persistence import IntegrityError

from application.clock import LedgerClock, SystemClock
from importer.lane import FastLane, LaneTip
from importer.legacy_file import RawRow, Refusal, command_or_refusal, data_lines, read_rows, record_of
from importer.spreadsheet import as_csv, is_spreadsheet
from domain import commands as cmd
from domain import events as ev
from domain.errors import DomainError, FieldError
from domain.id_numbers import person_id
from domain.person.legacy import decide_import
from domain.person.evolve import fold
from domain.person.state import Person
from domain.uuids import uuid5
from eventlog import copy_binary, scans
from eventlog.bulk import append_binary
from eventlog.chain import GENESIS, chain_rows, stream_from
from eventlog.checkpoints import Digest, record_checkpoint
from eventlog.codec import MetaJson
from eventlog.store import Conflict, datastore_for

IMPORT_NAMESPACE = uuid5(NAMESPACE_URL, "canbao:legacy-import")
BATCH_ROWS = 5_000
CONFLICT_RETRIES = 5
IMPORT_COMMAND = "ImportLegacyEnrollment"
_IMPORT_COMMAND_BYTES = IMPORT_COMMAND.encode()


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_written: int = 0
    rows_already_recorded: int = 0
    events_written: int = 0
    duplicates_flagged: int = 0
    refused: list[tuple[int, tuple[FieldError, ...]]] = field(default_factory=list)
    checkpoint: Digest | None = None  # the audit checkpoint recorded after the import

    def add(self, other: ImportSummary) -> None:
        self.rows_read += other.rows_read
        self.rows_written += other.rows_written
        self.rows_already_recorded += other.rows_already_recorded
        self.events_written += other.events_written
        self.duplicates_flagged += other.duplicates_flagged
        self.refused += other.refused


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: rows of the file done (written, refused or already recorded)
    of the rows it has, when known before reading it, and events written so far."""

    rows_done: int
    rows_total: int | None
    events_written: int


Progress = Callable[[ImportProgress], None]


def row_command_id(source: str, row: int) -> UUID:
    return uuid5(IMPORT_NAMESPACE, f"{source}\x00{row}")


@dataclass
class _Tip:
    """Where a person's stream ends while a batch is being decided. The state is folded
    lazily: most persons have one row in a batch and never need it folded."""

    version: int = 0
    last_hash: str = GENESIS
    person: Person = field(default_factory=Person)
    unfolded: list[ev.Event] = field(default_factory=list)

    def state(self) -> Person:
        if self.unfolded:
            self.person, self.unfolded = fold(self.unfolded, self.person), []
        return self.person


@dataclass
class _Decided:
    """A batch decided: its binary COPY rows (header first) and what it amounts to."""

    summary: ImportSummary
    stored: list[bytes] = field(default_factory=lambda: [copy_binary.HEADER])
    log: list[bytes] = field(default_factory=lambda: [copy_binary.HEADER])


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


Item = cmd.ImportLegacyEnrollment | Refusal | RawRow  # a command, a refusal the reader made, or a raw row


@dataclass
class _Extract:
    """The file being imported: how its columns map, and the fast lane for its rows."""

    fields: list[str | None]
    source: str
    status_3_means: str | None


class BulkImporter:
    def __init__(self, datastore, actor: ev.Actor, batch_rows: int = BATCH_ROWS,
                 clock: LedgerClock | None = None) -> None:
        self.datastore = datastore
        self.actor = actor
        self.batch_rows = batch_rows
        self.clock = clock or SystemClock()

    def run(self, items: Iterable[Item], progress: Progress | None = None, extract: _Extract | None = None,
            rows_total: int | None = None) -> ImportSummary:
        """Import in order: commands, refusals the reader made, or raw rows of `extract`."""
        summary = ImportSummary()
        for batch in batched(items, self.batch_rows):
            summary.add(self._write_batch(batch, extract))
            if progress:
                progress(ImportProgress(summary.rows_read, rows_total, summary.events_written))
        return summary

    def run_file(self, path: Path, source: str | None = None, status_3_means: str | None = None,
                 progress: Progress | None = None, workers: int = 1, conninfo: str | None = None) -> ImportSummary:
        """Import an extract; with `workers` > 1 (and the database's conninfo), the persons are
        shared among that many processes, each taking every person's rows in file order
        (from a spreadsheet read once, as CSV). Rows are named after `source`, by default
        the file's name."""
        if workers > 1 and conninfo:
            with as_csv(path) as readable:
                fields, _ = read_rows(readable)
                extract = _Extract(fields, source or path.name, status_3_means)
                return _run_shares(conninfo, self.actor, readable, extract, workers, self.batch_rows,
                                   progress, data_lines(readable), self.clock)
        fields, rows = read_rows(path)
        return self.run(rows, progress, _Extract(fields, source or path.name, status_3_means),
                        None if is_spreadsheet(path) else data_lines(path))

    def _write_batch(self, batch: list[Item], extract: _Extract | None) -> ImportSummary:
        for _ in range(CONFLICT_RETRIES):
            try:
                with self.datastore.transaction(commit=True) as curs:
                    # Decided without blocking anyone; the table lock is taken only to write.
                    decided = self._decide(curs, batch, extract)
                    append_binary(curs, decided.stored, decided.log)
                return decided.summary
            except (IntegrityError, psycopg.errors.UniqueViolation):
                continue  # a command appended to one of these persons meanwhile: decide again
        raise Conflict(f"rows {batch[0]!r:.40}…: other writers kept changing these persons; import again")

    def _decide(self, curs: psycopg.Cursor, batch: list[Item], extract: _Extract | None) -> _Decided:
        now = self.clock.now()
        recorded_at = copy_binary.timestamptz(now)
        templates: dict[str, MetaJson] = {}

        def template(source: str) -> MetaJson:
            if source not in templates:
                # Rendered with each row's own command id; the namespace only fills the slot.
                templates[source] = MetaJson(cmd.Context(
                    command_id=IMPORT_NAMESPACE, actor=self.actor, channel="import", evidence=(source,), now=now,
                ).meta(IMPORT_COMMAND))
            return templates[source]

        lane = extract and FastLane(extract.fields, extract.source, extract.status_3_means, template(extract.source),
                                    now.date())
        out = _Decided(ImportSummary(rows_read=len(batch)))
        summary = out.summary

        def written(stream: UUID, command_id: UUID, versions: list[int], rows: list[bytes], duplicates: bool) -> None:
            out.stored.extend(rows)
            out.log.append(copy_binary.command_log_row(
                command_id.bytes, _IMPORT_COMMAND_BYTES, recorded_at,
                orjson.dumps([[str(stream), v] for v in versions])))
            summary.rows_written += 1
            summary.events_written += len(rows)
            summary.duplicates_flagged += duplicates

        streams = [self._stream(item, lane) for item in batch]
        tips: dict[UUID, _Tip | LaneTip] = self._load(curs, {s for s in streams if s})
        for item, stream in zip(batch, streams, strict=True):
            if isinstance(item, RawRow) and lane and stream:
                tip = tips.setdefault(stream, LaneTip())
                if isinstance(tip, LaneTip):
                    command_id = row_command_id(extract.source, item.number)
                    decided = lane.decide(item.values, item.number, stream, tip, str(command_id).encode())
                    if decided:
                        written(stream, command_id, decided.positions, decided.rows, decided.duplicates)
                        continue
            if isinstance(item, RawRow):
                item = command_or_refusal(record_of(extract.fields, item.values), extract.source, item.number,
                                          extract.status_3_means)
            if not isinstance(item, cmd.ImportLegacyEnrollment):
                summary.refused.append(item)
                continue
            stream = person_id(item.certificate_type, item.id_number)
            tip = tips.setdefault(stream, _Tip())
            command_id = row_command_id(item.source, item.row)
            context = cmd.Context(command_id=command_id, actor=self.actor, channel="import",
                                  evidence=(item.source,), now=now)
            try:
                events = decide_import(item, tip.state() if isinstance(tip, _Tip) else Person(), context)
            except DomainError as refused:
                summary.refused.append((item.row, refused.errors))
                continue
            if not events:
                summary.rows_already_recorded += 1
                continue
            if isinstance(tip, LaneTip):
                raise AssertionError(f"row {item.row}: the fast lane declined a row the reference path accepts")
            rows, hashes = chain_rows(stream, tip.version, tip.last_hash, events, template(item.source),
                                      str(command_id).encode())
            written(stream, command_id, [r.originator_version for r in rows],
                    [copy_binary.event_row(stream.bytes, r.originator_version, r.topic.encode(), r.state)
                     for r in rows],
                    any(isinstance(e, ev.LegacyEnrollmentImported) and e.duplicates_of for e in events))
            tip.version, tip.last_hash = rows[-1].originator_version, hashes[-1]
            tip.unfolded += events
        return out

    @staticmethod
    def _stream(item: Item, lane: FastLane | None) -> UUID | None:
        """The person a batch item is about, when that can be told without deciding it."""
        if isinstance(item, cmd.ImportLegacyEnrollment):
            return person_id(item.certificate_type, item.id_number)
        if lane and isinstance(item, RawRow):
            return lane.person(item.values)
        return None

    @staticmethod
    def _load(curs: psycopg.Cursor, ids: set[UUID]) -> dict[UUID, _Tip]:
        """The persons of a batch who already have a history: their state, version and last hash."""
        tips = {}
        for stream_id, group in groupby(scans.streams_rows(curs, list(ids)), key=lambda r: r["originator_id"]):
            stream = stream_from(stream_id, ((r["originator_version"], r["topic"], r["state"]) for r in group))
            tips[stream_id] = _Tip(stream.version, stream.last_hash, fold(r.event for r in stream.events))
        return tips


def _import_share(conninfo: str, actor: ev.Actor, path: Path, extract: _Extract, share: int, shares: int,
                  batch_rows: int, done: Any, results: Any, clock: LedgerClock) -> None:
    """One worker process: the rows of its share of the persons, in file order. Adds what it
    has done to `done` (rows, events) and puts its summary, or what stopped it, on `results`."""
    datastore = datastore_for(conninfo, pool_size=1)
    counted = ImportProgress(0, None, 0)

    def count(progress: ImportProgress) -> None:
        nonlocal counted
        with done.get_lock():
            done[0] += progress.rows_done - counted.rows_done
            done[1] += progress.events_written - counted.events_written
        counted = progress

    try:
        _, mine = read_rows(path, share, shares)
        results.put(BulkImporter(datastore, actor, batch_rows, clock).run(mine, count, extract))
    except BaseException as stopped:  # reported to the parent, which raises it
        results.put(stopped)
    finally:
        datastore.close()


def _run_shares(conninfo: str, actor: ev.Actor, path: Path, extract: _Extract, workers: int, batch_rows: int,
                progress: Progress | None, rows_total: int | None, clock: LedgerClock) -> ImportSummary:
    # Fresh interpreters ("spawn"): nothing inherited, no connection shared across a fork.
    context = multiprocessing.get_context("spawn")
    done, results = context.Array("q", 2), context.SimpleQueue()  # rows, events
    processes = [context.Process(target=_import_share, daemon=True, args=(
        conninfo, actor, path, extract, share, workers, batch_rows, done, results, clock)) for share in range(workers)]
    for process in processes:
        process.start()
    summary, outcomes = ImportSummary(), []
    while len(outcomes) < workers:
        if results.empty():
            if progress:
                with done.get_lock():
                    rows_done, events_written = done[:]
                progress(ImportProgress(rows_done, rows_total, events_written))
            if not any(p.is_alive() for p in processes) and results.empty():
                raise RuntimeError("an import worker died without reporting (killed?); import the file again")
            time.sleep(0.2)
            continue
        outcomes.append(results.get())
    for process in processes:
        process.join()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        summary.add(outcome)
    summary.refused.sort(key=lambda refusal: refusal[0])
    if progress:
        progress(ImportProgress(summary.rows_read, rows_total, summary.events_written))
    return summary


def import_extract(datastore, path: Path, status_3_means: str | None = None, progress: Progress | None = None,
                   conninfo: str | None = None, workers: int | None = None,
                   clock: LedgerClock | None = None) -> ImportSummary:
    """Import one legacy extract as an import job named after the file, then record an audit
    checkpoint: an offline job hashes what it wrote, rather than leaving it to the API server.
    Given the conninfo, the work is shared among `workers` processes (default: one per core)."""
    importer = BulkImporter(datastore, ev.Actor(kind="import_job", id=f"import:{path.name}"), clock=clock)
    summary = importer.run_file(path, status_3_means=status_3_means, progress=progress, conninfo=conninfo,
                                workers=workers or os.cpu_count() or 1)
    if summary.events_written:
        summary.checkpoint = record_checkpoint(datastore)
    return summary
