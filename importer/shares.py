"""An extract shared among worker processes, each taking every row of its share of the persons.

The share of a row is decided from the person's number alone (importer/legacy_file.py), so
a person's rows stay together and in file order; each worker runs an importer of its own
and reports rows and events done through shared counters.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

from application.clock import LedgerClock
from domain import events as ev
from eventlog.store import datastore_for
from importer.batch import Extract
from importer.legacy_file import read_rows
from importer.summary import ImportProgress, ImportSummary, Progress


def import_share(conninfo: str, actor: ev.Actor, path: Path, extract: Extract, share: int, shares: int,
                 batch_rows: int, done: Any, results: Any, clock: LedgerClock) -> None:
    """One worker process: the rows of its share of the persons, in file order. Adds what it
    has done to `done` (rows, events) and puts its summary, or what stopped it, on `results`."""
    from importer.bulk import BulkImporter  # in the worker's own interpreter

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


def run_shares(conninfo: str, actor: ev.Actor, path: Path, extract: Extract, workers: int, batch_rows: int,
               progress: Progress | None, rows_total: int | None, clock: LedgerClock) -> ImportSummary:
    # Fresh interpreters ("spawn"): nothing inherited, no connection shared across a fork.
    context = multiprocessing.get_context("spawn")
    done, results = context.Array("q", 2), context.SimpleQueue()  # rows, events
    processes = [context.Process(target=import_share, daemon=True, args=(
        conninfo, actor, path, extract, share, workers, batch_rows, done, results, clock)) for share in range(workers)]
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
