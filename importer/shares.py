"""A file shared among worker processes, each taking every row of its share of the persons.

The share of a row is decided from the person's number alone (importer/legacy_file.py), so
a person's rows stay together and in file order; each worker runs an importer of its own
(a `ShareJob`: the person extract's, the contribution file's) and reports rows and events
done through shared counters.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from application.clock import LedgerClock
from domain import events as ev
from eventlog.store import datastore_for
from importer.batch import Extract
from importer.legacy_file import read_rows
from importer.summary import ImportProgress, ImportSummary, Progress


class ShareJob(Protocol):
    """What one worker does with its share of a file; picklable, as it crosses to the worker."""

    def run(self, datastore: Any, share: int, shares: int, progress: Progress) -> ImportSummary: ...


@dataclass(frozen=True)
class ExtractShare:
    """A share of a person extract, imported by a `BulkImporter` of the worker's own."""

    actor: ev.Actor
    path: Path
    extract: Extract
    batch_rows: int
    clock: LedgerClock

    def run(self, datastore: Any, share: int, shares: int, progress: Progress) -> ImportSummary:
        from importer.bulk import BulkImporter  # in the worker's own interpreter

        _, mine = read_rows(self.path, share, shares)
        return BulkImporter(datastore, self.actor, self.batch_rows, self.clock).run(mine, progress, self.extract)


def import_share(conninfo: str, job: ShareJob, share: int, shares: int, done: Any, results: Any) -> None:
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
        results.put(job.run(datastore, share, shares, count))
    except BaseException as stopped:  # reported to the parent, which raises it
        results.put(stopped)
    finally:
        datastore.close()


def run_shares(conninfo: str, job: ShareJob, workers: int, progress: Progress | None,
               rows_total: int | None) -> ImportSummary:
    # Fresh interpreters ("spawn"): nothing inherited, no connection shared across a fork.
    context = multiprocessing.get_context("spawn")
    done, results = context.Array("q", 2), context.SimpleQueue()  # rows, events
    processes = [context.Process(target=import_share, daemon=True, args=(conninfo, job, share, workers, done, results))
                 for share in range(workers)]
    for process in processes:
        process.start()
    outcomes: list[ImportSummary | BaseException] = []
    while len(outcomes) < workers:
        if not results.empty():
            outcomes.append(results.get())
            continue
        if progress:
            with done.get_lock():
                rows_done, events_written = done[:]
            progress(ImportProgress(rows_done, rows_total, events_written))
        if not any(p.is_alive() for p in processes) and results.empty():
            raise RuntimeError("an import worker died without reporting (killed?); import the file again")
        time.sleep(0.2)
    for process in processes:
        process.join()
    summary = ImportSummary()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        summary.add(outcome)
    summary.refused.sort(key=lambda refusal: refusal[0])
    if progress:
        progress(ImportProgress(summary.rows_read, rows_total, summary.events_written))
    return summary
