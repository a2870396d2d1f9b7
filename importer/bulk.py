"""The bulk import of legacy extracts: many import commands, one transaction per batch.

Each row is decided as `decide_import` decides a single command — common rows by the fast
lane (importer/lane.py, byte-equal to the reference by test), the rest by the reference
path itself (importer/batch.py) — encoded by the same codec with the same per-stream hash
chain, and logged in the command log under a command id derived from (source file, row).
So a bulk-written event is indistinguishable from one written through the ledger's
service, and importing a file twice records nothing new. Worker processes share the
persons of a file between them (importer/shares.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import IntegrityError

from application.clock import LedgerClock, SystemClock
from application.service import TICK
from domain import events as ev
from eventlog.bulk import append_binary
from eventlog.checkpoints import record_checkpoint
from eventlog.collector import collect_batch, collector_paused
from eventlog.store import Conflict
from importer.batch import BatchDecision, Extract, Item, load_tips
from importer.legacy_file import data_lines, read_rows
from importer.spreadsheet import as_csv, is_spreadsheet
from importer.summary import ImportProgress, ImportSummary, Progress

BATCH_ROWS = 5_000
CONFLICT_RETRIES = 5
T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class BulkImporter:
    def __init__(self, datastore: Any, actor: ev.Actor, batch_rows: int = BATCH_ROWS,
                 clock: LedgerClock | None = None) -> None:
        self.datastore = datastore
        self.actor = actor
        self.batch_rows = batch_rows
        self.clock = clock or SystemClock()

    def run(self, items: Iterable[Item], progress: Progress | None = None, extract: Extract | None = None,
            rows_total: int | None = None) -> ImportSummary:
        """Import in order: commands, refusals the reader made, or raw rows of `extract`."""
        summary = ImportSummary()
        with collector_paused():
            for number, batch in enumerate(batched(items, self.batch_rows)):
                if number:
                    collect_batch()  # what the batch before left (the last one's: the collector's, resumed)
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
            from importer.shares import ExtractShare, run_shares  # the shares run importers of their own

            with as_csv(path) as readable:
                fields, _ = read_rows(readable)
                extract = Extract(fields, source or path.name, status_3_means)
                job = ExtractShare(self.actor, readable, extract, self.batch_rows, self.clock)
                return run_shares(conninfo, job, workers, progress, data_lines(readable))
        fields, rows = read_rows(path)
        return self.run(rows, progress, Extract(fields, source or path.name, status_3_means),
                        None if is_spreadsheet(path) else data_lines(path))

    def _write_batch(self, batch: list[Item], extract: Extract | None) -> ImportSummary:
        for _ in range(CONFLICT_RETRIES):
            try:
                with self.datastore.transaction(commit=True) as curs:
                    # Decided without blocking anyone; the table lock is taken only to write.
                    now = self.clock.now()
                    decision = BatchDecision(self.actor, now, extract, len(batch))
                    streams = [decision.stream_of(item) for item in batch]
                    tips, latest = load_tips(curs, {s for s in streams if s})
                    if latest is not None and latest >= now:  # system time never goes backwards
                        decision = BatchDecision(self.actor, latest + TICK, extract, len(batch))
                    decision.decide(batch, tips, streams)
                    append_binary(curs, decision.stored, decision.log)
                return decision.summary
            except (IntegrityError, psycopg.errors.UniqueViolation):
                continue  # a command appended to one of these persons meanwhile: decide again
        raise Conflict(f"rows {batch[0]!r:.40}…: other writers kept changing these persons; import again")


def import_extract(datastore: Any, path: Path, status_3_means: str | None = None, progress: Progress | None = None,
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
