"""`canbao bench`: every speed figure of the ledger beside a baseline measured in the same run.

Each run uses a fresh database (a throw-away embedded PostgreSQL, or a new database on the
server DATABASE_URL names), a generated population, and these phases:
import (vs a raw COPY of the same rows), rebuild (vs a raw ordered read of the events),
verify, commands over HTTP (vs the application service called directly, vs eventsourcing's
plain insert of the same event), and queries over HTTP (vs the GraphQL floor `{__typename}`).
"""

from __future__ import annotations

import csv
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg.rows import dict_row

from application.clock import SystemClock
from bench.http import measure_commands, measure_pages, measure_queries, served
from bench.measure import Timed, phase, server_memory
from bench.report import IMPORT_TARGET_EVENTS_PER_S
from canbao.database import embedded_server, ensure_database
from canbao.migrations import apply_migrations
from demo.population import MONTHS_PER_PERSON, write_contribution_file, write_extract
from domain.events import Actor
from eventlog import scans
from eventlog.bulk import EVENT_COLUMNS, LOG_COLUMNS, copy_in_place, dump_binary, empty_replicas
from eventlog.checkpoints import record_checkpoint
from eventlog.store import EventStore
from eventlog.verify import verify
from importer import contribution_file
from importer.bulk import BulkImporter
from importer.contribution_file import ContributionFile, import_contributions
from ledger_api.auth import Principal, issue_token
from projections.catalog import PROJECTIONS
from projections.runner import ProjectionRunner

Figures = dict[str, Any]
COMPARISON_ROUNDS = 3  # the register comparison and its raw join, each timed this many times in turn
CONTRIBUTION_ROUNDS = 3  # monthly files imported, each beside its own ceilings


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL")
    if base:
        yield ensure_database(base, f"canbao_bench_{label}_{int(time.time())}")
        return
    with tempfile.TemporaryDirectory(prefix="canbao-bench-") as tmp:
        server = embedded_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            yield ensure_database(server.get_uri(), "bench")
        finally:
            server.cleanup()  # before its directory goes


def timed_copy(conn, dump: Any, table: str, columns: str) -> float:
    """Seconds to COPY a binary dump into `table` in one transaction."""
    dump.seek(0)
    started = time.perf_counter()
    with conn.transaction(), conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy:
        while chunk := dump.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def without_autovacuum(conninfo: str) -> None:
    """The bench's throwaway database is vacuumed by the bench, after each bulk phase and outside
    the timing (`settle`): autovacuum's first pass over a million new rows starts a few seconds
    after they are written and takes one of the two cores from whichever phase runs then (seen:
    the contribution file's 0.5 s tripled, the import's ceiling measured beside it)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Plain tables only: a partitioned table has no storage of its own to vacuum.
        tables = [r[0] for r in conn.execute(
            "SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relkind = 'r'")]
        for table in tables:
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")


def settle(conninfo: str) -> None:
    """What autovacuum would do after a bulk phase, done before the next one is timed."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def measure_import(store: EventStore, conninfo: str, extract: Path) -> Figures:
    """The import, beside two COPYs of exactly what it wrote: into a bare unlogged table
    (the issue's baseline), and into empty copies of the ledger's own tables with their
    indexes, WAL and sequence (the most any importer could do with this storage)."""
    importer = BulkImporter(store.datastore, Actor(kind="import_job", id="bench"))
    workers = os.cpu_count() or 1
    with phase() as took:
        summary = importer.run_file(extract, workers=workers, conninfo=conninfo)
    with store.datastore.get_connection() as conn, tempfile.TemporaryFile() as events, \
            tempfile.TemporaryFile() as log:
        dump_binary(conn, events, log)
        conn.execute("CREATE UNLOGGED TABLE bench_bare (originator_id uuid, originator_version bigint, topic text, "
                     "state bytea)")
        raw_copy = timed_copy(conn, events, "bench_bare", EVENT_COLUMNS)
        with empty_replicas(conn, "bench") as (events_table, log_table), phase() as stored:
            floor = (timed_copy(conn, events, events_table, EVENT_COLUMNS)
                     + timed_copy(conn, log, log_table, LOG_COLUMNS))
        conn.execute("DROP TABLE bench_bare")
    events_written, rows = summary.events_written, summary.rows_read
    record_checkpoint(store.datastore)  # as `canbao import` does, outside the timed part
    return {"rows": rows, "workers": workers, "events": events_written, "seconds": took.seconds,
            "events_per_s": events_written / took.seconds, "peak_rss_mb": took.peak_rss_mb,
            "phase_rss_mb": took.phase_rss_mb, "copy_seconds": raw_copy, "copy_events_per_s": events_written / raw_copy,
            "ratio": took.seconds / raw_copy, "floor_seconds": floor, "floor_events_per_s": events_written / floor,
            "floor_ratio": took.seconds / floor, **cpu_budget(took, stored.machine_cpu_seconds, events_written, rows)}


def measure_contribution_import(store: EventStore, conninfo: str, extract: Path, tmp: Path,
                                rows: int = 10_000) -> Figures:
    """A monthly contribution file of `rows` rows for persons of the extract, imported, beside
    the storage's ceiling for exactly what it wrote: those rows COPYed into the ledger's own tables
    as the file found them (1.7 million events at 725,000 persons: their indexes are what each row
    is written into), and, as before 2026-12-07, into empty copies of them. One import is 0.2 s at
    725,000 persons, where a moment's stall of the machine weighs as much as a change: CONTRIBUTION_ROUNDS
    files of other persons each, every import followed by its ceilings, and each side's median is its
    figure."""
    workers = os.cpu_count() or 1
    persons_per_file = -(-rows // MONTHS_PER_PERSON)
    imported: list[float] = []
    in_place: list[float] = []
    floors: list[float] = []
    for round_ in range(CONTRIBUTION_ROUNDS):
        monthly = tmp / f"contributions-{round_}.csv"
        written_rows = write_contribution_file(extract, monthly, rows, skip_persons=round_ * persons_per_file)
        with store.datastore.get_connection() as conn:
            before = scans.head(conn)
        since = SystemClock().now()
        with phase() as took:
            summary = import_contributions(store.datastore, ContributionFile(monthly), SystemClock(), checkpoint=False,
                                           conninfo=conninfo, workers=workers)
        imported.append(took.seconds)
        with store.datastore.get_connection() as conn, tempfile.TemporaryFile() as events, \
                tempfile.TemporaryFile() as log:
            dump_binary(conn, events, log, after=before, command_type="RecordContribution", since=since)
            in_place.append(copy_in_place(conn, events, log, before, "RecordContribution", since))
            with empty_replicas(conn, "bench_c") as (events_table, log_table):
                floors.append(timed_copy(conn, events, events_table, EVENT_COLUMNS)
                              + timed_copy(conn, log, log_table, LOG_COLUMNS))
        record_checkpoint(store.datastore)  # as for the person extract: outside the timed part
    seconds, in_place_seconds, floor = (statistics.median(x) for x in (imported, in_place, floors))
    shared = workers if written_rows >= contribution_file.SHARED_FROM_ROWS else 1
    return {"rows": written_rows, "workers": shared, "events": summary.events_written, "refused": len(summary.refused),
            "seconds": seconds, "seconds_each": imported, "rows_per_s": written_rows / seconds,
            "in_place_seconds": in_place_seconds, "in_place_seconds_each": in_place,
            "in_place_ratio": seconds / in_place_seconds, "floor_seconds": floor, "floor_ratio": seconds / floor}


def measure_register(store: EventStore, extract: Path, tmp: Path, conninfo: str) -> Figures:
    """The register comparison (issue 19) beside a raw join of the two tables it compares: the
    persons of the ledger and a register of as many persons, in the same run."""
    from datetime import date

    from demo.register import persons_of_extract, write_register
    from domain.clock import business_date
    from importer.register_file import load_register
    from projections.register_comparison import compare

    now = SystemClock().now()
    today, register = business_date(now), tmp / "register.csv"
    persons = persons_of_extract(extract, today)
    write_register(persons, register, 1, today, outsiders=len(persons) // 25)
    with store.datastore.get_connection() as conn, phase() as loading:
        loaded = load_register(conn, register, f"bench-{time.time_ns()}", now, today)
    settle(conninfo)  # the rows just loaded, before either side reads them
    # A backend of its own: the one that loaded the register keeps what the load's sorts took from the
    # system (44 MiB at 1,000,000 persons, against 9 MiB a fresh backend holds during a comparison).
    with psycopg.connect(conninfo, row_factory=dict_row, autocommit=True) as conn:
        # Whichever statement first reads a register just loaded pays for bringing its pages into the
        # server's buffers (measured: 0.08-0.10 s at 725,000 persons for the comparison run first, 0.03 s
        # for the join run first); the join, timed after the comparison, used to find them there. Both
        # are now timed on the buffers one untimed join leaves.
        raw_join = ("SELECT count(*) AS n FROM person_view p FULL JOIN "
                    "(SELECT * FROM reference_person WHERE version_id = %s) r ON r.id_number = p.id_number "
                    "WHERE p.name IS DISTINCT FROM r.name OR p.gender IS DISTINCT FROM r.gender "
                    "OR p.birth_date IS DISTINCT FROM r.birth_date")
        conn.execute(raw_join, (loaded.version_id,)).fetchone()
        backend = conn.info.backend_pid
        # The comparison runs in PostgreSQL: its memory is the backend's and its parallel workers'
        # (sampled on this machine's embedded server; None on a remote server). It and the raw join
        # are timed in turn, COMPARISON_ROUNDS times each, and each side's median is its figure: one
        # run of either is 0.3-0.7 s at 725,000 persons, where a moment's stall of the machine weighs.
        resident_before = psutil.Process().memory_info().rss / 2**20
        compared: list[float] = []
        joined: list[float] = []
        own_peaks: list[float] = []
        server_peaks: list[float] = []  # empty when the server's processes cannot be sampled
        for _ in range(COMPARISON_ROUNDS):
            watched = server_memory(backend) if psutil.pid_exists(backend) and not os.environ.get("DATABASE_URL") \
                else nullcontext(None)
            with phase() as took, watched as server:
                comparison = compare(conn, date(2019, 12, 31), SystemClock().now(), SystemClock().now())
            compared.append(took.seconds)
            own_peaks.append(took.peak_rss_mb)
            if server:
                server_peaks.append(server.peak_rss_mb)
            # The baseline: the full join of the persons with the register reading the columns a
            # comparison must compare.
            with phase() as join:
                conn.execute(raw_join, (loaded.version_id,)).fetchone()
            joined.append(join.seconds)
        # And the inner join PostgreSQL can count from its indexes alone.
        with phase() as counted:
            matched = conn.execute(
                "SELECT count(*) AS n FROM person_view p JOIN reference_person r "
                "ON r.version_id = %s AND r.id_number = p.id_number", (loaded.version_id,)).fetchone()
    seconds, join_seconds = statistics.median(compared), statistics.median(joined)
    return {"register_rows": loaded.loaded, "persons": len(persons), "matched": matched and matched["n"],
            "load_seconds": loading.seconds, "seconds": seconds, "seconds_each": compared,
            "peak_rss_mb": max(own_peaks), "rss_growth_mb": max(own_peaks) - resident_before,
            "server_peak_mb": max(server_peaks, default=None),
            "join_seconds": join_seconds, "join_seconds_each": joined, "count_join_seconds": counted.seconds,
            "ratio": seconds / join_seconds, "findings": comparison.counts}


def cpu_budget(took: Timed, floor_cpu_seconds: float, events: int, rows: int) -> Figures:
    """Where the machine's cores went during the import, per row of the file, beside what the
    target leaves: at 100,000 events/s every core together has `budget` µs per row, and the
    storage's own COPY of the same rows already takes `floor` µs of it."""
    cores, per_row = psutil.cpu_count() or 1, 1e6 / rows  # µs per row, from seconds
    ours, machine = took.cpu_seconds * per_row, took.machine_cpu_seconds * per_row
    budget = cores * events / IMPORT_TARGET_EVENTS_PER_S * per_row
    return {"cores": cores, "cpu_busy_share": took.machine_cpu_seconds / (cores * took.seconds),
            "cpu_ours_us_per_row": ours, "cpu_rest_us_per_row": max(machine - ours, 0.0),
            "cpu_floor_us_per_row": floor_cpu_seconds * per_row, "cpu_budget_us_per_row": budget,
            "cpu_need_ratio": machine / budget}


def measure_xlsx_read(extract: Path, tmp: Path, rows: int = 20_000) -> Figures:
    """Rows/s reading the extract's first `rows` rows as XLSX (calamine, what the import
    uses; openpyxl's streaming reader, what it used before) beside the same rows as CSV."""
    from itertools import islice

    from openpyxl import Workbook, load_workbook

    from importer.legacy_file import raw_rows

    book = Workbook(write_only=True)
    sheet, sample = book.create_sheet(), tmp / "sample.csv"
    written = -1  # the header is not a row
    with sample.open("w", encoding="utf-8", newline="") as out:
        for values in islice(raw_rows(extract), rows + 1):
            sheet.append(values)
            csv.writer(out).writerow(values)
            written += 1
    book.save(tmp / "sample.xlsx")

    def rate(read: Any) -> float:
        started = time.perf_counter()
        return sum(1 for _ in read()) / (time.perf_counter() - started)

    def openpyxl_rows() -> Iterator[tuple]:
        workbook = load_workbook(tmp / "sample.xlsx", read_only=True, data_only=True)
        yield from workbook.worksheets[0].iter_rows(values_only=True)
        workbook.close()

    return {"rows": written, "calamine_rows_per_s": rate(lambda: raw_rows(tmp / "sample.xlsx")),
            "openpyxl_rows_per_s": rate(openpyxl_rows), "csv_rows_per_s": rate(lambda: raw_rows(sample))}


def measure_stored_size(store: EventStore, sample: int = 20_000) -> Figures:
    """Bytes per stored event (its state) beside the same events in the JSON form stored before
    the compact one (fffc189: {"e": fields, "m": meta}, as pydantic wrote it), in this run."""
    from statistics import median

    from eventlog.codec import decode, json_form_of

    compact, json_form = [], []
    with store.datastore.get_connection() as conn:
        rows = scans.first_stored(conn, sample)
    for row in rows:
        state = bytes(row["state"])
        compact.append(len(state))
        json_form.append(len(json_form_of(*decode(row["topic"], state))))
    compact.sort()
    json_form.sort()
    return {"events": len(rows), "median_bytes": median(compact), "p99_bytes": compact[int(0.99 * len(compact))],
            "json_median_bytes": median(json_form), "json_p99_bytes": json_form[int(0.99 * len(json_form))],
            "ratio": median(compact) / median(json_form)}


def measure_rebuild(store: EventStore, conninfo: str) -> Figures:
    runner = ProjectionRunner(store.datastore, conninfo)
    with phase() as took:
        events, _ = runner.rebuild(list(PROJECTIONS))
    with store.datastore.get_connection() as conn, conn.transaction():
        started = time.perf_counter()
        scanned = sum(1 for _ in scans.by_stream(conn, name="bench_scan"))
        raw = time.perf_counter() - started
    return {"events": events, "workers": runner.workers, "seconds": took.seconds, "events_per_s": events / took.seconds,
            "peak_rss_mb": took.peak_rss_mb, "phase_rss_mb": took.phase_rss_mb, "scan_seconds": raw,
            "scan_rows_per_s": scanned / raw, "ratio": took.seconds / raw}


def measure_dask_rebuild(store: EventStore, rebuild: Figures) -> Figures:
    """The rebuild on a Dask LocalCluster with 1 and 2 workers (issue 21), export included, beside the
    single-machine rebuild and the raw read of the same run."""
    try:
        from projections.dask_rebuild import rebuild_on_dask
    except ImportError:
        return {}
    runner = ProjectionRunner(store.datastore)
    figures: Figures = {}
    for workers in (1, 2):
        with phase() as took:
            rebuild_on_dask(runner, list(PROJECTIONS), workers=workers)
        figures[f"workers_{workers}_seconds"] = took.seconds
        figures[f"workers_{workers}_events_per_s"] = rebuild["events"] / took.seconds
    figures["single_seconds"], figures["scan_seconds"] = rebuild["seconds"], rebuild["scan_seconds"]
    return figures


def measure_verify(store: EventStore) -> Figures:
    with phase() as took:
        report = verify(store.datastore)
    return {"events": report.events, "seconds": took.seconds, "clean": report.clean,
            "events_per_s": report.events / took.seconds}


def run_size(persons: int, seed: int, samples: int, log: Any) -> Figures:
    secret = secrets.token_urlsafe(32)
    token = issue_token(secret, Principal("bench", "auditor"), timedelta(hours=6))
    office = issue_token(secret, Principal("bench-office", "office", region="350000"), timedelta(hours=6))
    with fresh_database(str(persons)) as conninfo, tempfile.TemporaryDirectory() as tmp:
        apply_migrations(conninfo)
        without_autovacuum(conninfo)
        store = EventStore(conninfo)
        try:
            extract = Path(tmp) / "extract.csv"
            log(f"{persons:,} persons: generating the extract")
            write_extract(extract, persons, seed)
            log(f"{persons:,} persons: import")
            figures: Figures = {"persons": persons, "import": measure_import(store, conninfo, extract)}
            settle(conninfo)
            figures["stored"] = measure_stored_size(store)
            log(f"{persons:,} persons: a monthly contribution file")
            figures["contributions"] = measure_contribution_import(store, conninfo, extract, Path(tmp))
            log(f"{persons:,} persons: reading the extract as XLSX")
            figures["xlsx_read"] = measure_xlsx_read(extract, Path(tmp))
            log(f"{persons:,} persons: rebuild")
            figures["rebuild"] = measure_rebuild(store, conninfo)
            settle(conninfo)
            log(f"{persons:,} persons: rebuild on Dask")
            figures["dask_rebuild"] = measure_dask_rebuild(store, figures["rebuild"])
            settle(conninfo)
            log(f"{persons:,} persons: the population register")
            figures["register"] = measure_register(store, extract, Path(tmp), conninfo)
            log(f"{persons:,} persons: verify")
            figures["verify"] = measure_verify(store)
            with served(conninfo, secret) as base:
                log(f"{persons:,} persons: queries over HTTP")
                figures["queries"] = measure_queries(store, base, token, samples)
                log(f"{persons:,} persons: pages in a browser's place")
                figures["pages"] = measure_pages(store, base, office, samples)
                log(f"{persons:,} persons: commands over HTTP")
                figures["commands"] = measure_commands(store, base, office, samples)
            return figures
        finally:
            store.close()
