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
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psutil
from eventsourcing.persistence import StoredEvent

from importer.bulk import BulkImporter
from canbao.database import ensure_database, start_embedded
from demo.population import write_extract
from application.service import Ledger
from bench.measure import Timed, latencies, median, p99, phase, throughput
from canbao.migrations import apply_migrations
from domain import commands as cmd
from domain.events import Actor, Meta
from domain.id_numbers import check_character
from ledger_api.auth import Principal, issue_token
from projections.catalog import PROJECTIONS
from eventlog import scans
from eventlog.bulk import EVENT_COLUMNS, LOG_COLUMNS, dump_binary, empty_replicas
from eventlog.checkpoints import record_checkpoint
from eventlog.codec import encode
from eventlog.store import EventStore
from eventlog.verify import verify
from projections.runner import ProjectionRunner

Figures = dict[str, Any]
CLERK = Actor(kind="office", id="bench")


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL")
    if base:
        yield ensure_database(base, f"canbao_bench_{label}_{int(time.time())}")
        return
    with tempfile.TemporaryDirectory(prefix="canbao-bench-") as tmp:
        yield ensure_database(start_embedded(Path(tmp) / "pg", cleanup_mode="delete"), "bench")


def new_id(n: int) -> str:
    first17 = f"3501{(n // 1000) % 100:02d}19{60 + n % 40:02d}0101{n % 1000:03d}"
    return first17 + check_character(first17)


def timed_copy(conn, dump: Any, table: str, columns: str) -> float:
    """Seconds to COPY a binary dump into `table` in one transaction."""
    dump.seek(0)
    started = time.perf_counter()
    with conn.transaction(), conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy:
        while chunk := dump.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


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
            "copy_seconds": raw_copy, "copy_events_per_s": events_written / raw_copy,
            "ratio": took.seconds / raw_copy, "floor_seconds": floor, "floor_events_per_s": events_written / floor,
            "floor_ratio": took.seconds / floor, **cpu_budget(took, stored.machine_cpu_seconds, events_written, rows)}


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


def measure_rebuild(store: EventStore, conninfo: str) -> Figures:
    runner = ProjectionRunner(store.datastore, conninfo)
    with phase() as took:
        events, _ = runner.rebuild(list(PROJECTIONS))
    with store.datastore.get_connection() as conn, conn.transaction():
        started = time.perf_counter()
        scanned = sum(1 for _ in scans.by_stream(conn, name="bench_scan"))
        raw = time.perf_counter() - started
    return {"events": events, "workers": runner.workers, "seconds": took.seconds, "events_per_s": events / took.seconds,
            "peak_rss_mb": took.peak_rss_mb, "scan_seconds": raw, "scan_rows_per_s": scanned / raw,
            "ratio": took.seconds / raw}


def measure_verify(store: EventStore) -> Figures:
    with phase() as took:
        report = verify(store.datastore)
    return {"events": report.events, "seconds": took.seconds, "clean": report.clean,
            "events_per_s": report.events / took.seconds}


@contextmanager
def served(conninfo: str, secret: str) -> Iterator[str]:
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "DATABASE_URL": conninfo, "CANBAO_TOKEN_SECRET": secret}
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        server = subprocess.Popen([sys.executable, "-m", "canbao", "serve", "--port", str(port), "--no-graphiql"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


REGISTER = ("mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ok errors { rule } } }")


def register_input(n: int) -> dict[str, Any]:
    return {"commandId": str(uuid4()), "effective": "2020-01-01", "idNumber": new_id(n), "name": "测试",
            "gender": "1" if int(new_id(n)[16]) % 2 else "2", "birthDate": new_id(n)[6:10] + "-01-01",
            "ethnicity": "01"}


def measure_commands(store: EventStore, base: str, token: str, samples: int) -> Figures:
    headers = {"authorization": f"Bearer {token}"}
    counter = iter(range(10_000_000, 99_999_999))
    clients = [httpx.Client(base_url=base, headers=headers) for _ in range(16)]

    def over_http(client: int = 0) -> None:
        answer = clients[client].post("/graphql", json={"query": REGISTER,
                                                        "variables": {"input": register_input(next(counter))}})
        assert answer.json()["data"]["registerPerson"]["ok"], answer.text

    http = latencies(over_http, samples)
    rates = {f"clients_{n}": throughput(over_http, n, 3.0) for n in (1, 4, 16)}
    ledger = Ledger(store)

    def direct() -> None:
        fields = register_input(next(counter))
        command = cmd.RegisterPerson(effective=date(2020, 1, 1), id_number=fields["idNumber"], name="测试",
                                     gender=fields["gender"], birth_date=date.fromisoformat(fields["birthDate"]),
                                     ethnicity="01")
        ledger.execute(command, cmd.Context(command_id=uuid4(), actor=CLERK, now=datetime.now(timezone.utc)))

    service = latencies(direct, samples)
    event = ledger.person_stream("01", new_id(10_000_000)).events[0]
    topic, state = encode(event.event, Meta(command_id=uuid4(), command="RegisterPerson",
                                            recorded_at=datetime.now(timezone.utc), actor=CLERK, channel="office"))
    plain = latencies(lambda: store.recorder.insert_events([StoredEvent(uuid4(), 1, topic, state)]), samples)
    for client in clients:
        client.close()
    return {"http_median_ms": median(http), "http_p99_ms": p99(http), "service_median_ms": median(service),
            "plain_save_median_ms": median(plain), "ratio_to_service": median(http) / median(service),
            "ratio_to_plain_save": median(http) / median(plain), **{f"{k}_per_s": v for k, v in rates.items()}}


def measure_queries(store: EventStore, base: str, token: str, samples: int) -> Figures:
    with store.datastore.get_connection() as conn:
        ids = [r["id_number"] for r in conn.execute(
            "SELECT id_number FROM person_view ORDER BY random() LIMIT %s", (samples,))]
        unit = conn.execute("SELECT unit_code, count(*) AS n FROM current_enrollment WHERE insurance_type = '310' "
                            "AND unit_code NOT LIKE 'F%%' GROUP BY unit_code ORDER BY abs(count(*) - 1000) "
                            "LIMIT 1").fetchone()
    client = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60)
    picks = iter(ids * (samples // max(len(ids), 1) + 2))

    def ask(query: str, variables: dict | None = None) -> None:
        answer = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert not answer.get("errors"), answer["errors"]

    floor = latencies(lambda: ask("{ __typename }"), samples)
    figures: Figures = {"floor_median_ms": median(floor), "floor_p99_ms": p99(floor),
                        "roster_size": unit["n"] if unit else 0}
    cases = {
        "history": lambda: ask("query($id: String!) { person(idNumber: $id) { history { type validDate recordedAt "
                               "actor { id } reason { label } evidence } } }", {"id": next(picks)}),
        "snapshot": lambda: ask("query($id: String!) { person(idNumber: $id) { snapshot(asOf: \"2019-12-31\") { "
                                "insuranceType { label } region status { label } validFrom validTo } } }",
                                {"id": next(picks)}),
        "roster": lambda: ask("query($u: String!) { unit(code: $u) { roster { idNumber name personType { label } } "
                              "inServiceCount retiredCount } }", {"u": unit["unit_code"] if unit else ""}),
        "duplicate_page": lambda: ask("{ duplicateSets(first: 50) { edges { node { idNumber kind action } } } }"),
    }
    for name, call in cases.items():
        times = latencies(call, samples if name != "roster" else max(samples // 4, 20))
        figures[f"{name}_median_ms"], figures[f"{name}_p99_ms"] = median(times), p99(times)
        figures[f"{name}_ratio"] = median(times) / median(floor)
    client.close()
    return figures


def run_size(persons: int, seed: int, samples: int, log: Any) -> Figures:
    secret = secrets.token_urlsafe(32)
    token = issue_token(secret, Principal("bench", "auditor"), timedelta(hours=6))
    office = issue_token(secret, Principal("bench-office", "office", region="350000"), timedelta(hours=6))
    with fresh_database(str(persons)) as conninfo, tempfile.TemporaryDirectory() as tmp:
        apply_migrations(conninfo)
        store = EventStore(conninfo)
        try:
            extract = Path(tmp) / "extract.csv"
            log(f"{persons:,} persons: generating the extract")
            write_extract(extract, persons, seed)
            log(f"{persons:,} persons: import")
            figures: Figures = {"persons": persons, "import": measure_import(store, conninfo, extract)}
            log(f"{persons:,} persons: reading the extract as XLSX")
            figures["xlsx_read"] = measure_xlsx_read(extract, Path(tmp))
            log(f"{persons:,} persons: rebuild")
            figures["rebuild"] = measure_rebuild(store, conninfo)
            log(f"{persons:,} persons: verify")
            figures["verify"] = measure_verify(store)
            with served(conninfo, secret) as base:
                log(f"{persons:,} persons: queries over HTTP")
                figures["queries"] = measure_queries(store, base, token, samples)
                log(f"{persons:,} persons: commands over HTTP")
                figures["commands"] = measure_commands(store, base, office, samples)
            return figures
        finally:
            store.close()


def machine() -> dict[str, str]:
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(), "cores": str(psutil.cpu_count()),
            "memory_gib": f"{psutil.virtual_memory().total / 2**30:.0f}", "canbao": version("canbao"),
            "eventsourcing": version("eventsourcing"), "psycopg": version("psycopg"),
            "postgresql": "embedded pgserver 16" if not os.environ.get("DATABASE_URL") else "DATABASE_URL"}


IMPORT_TARGET_EVENTS_PER_S = 100_000
TARGETS = {  # design.md "Speed targets"
    "import": "≥ 100,000 events/s and ≤ 3× COPY", "rebuild": "≥ 150,000 events/s and ≤ 4× raw read",
    "command": "median ≤ 5 ms", "query": "p99 ≤ 20 ms at 1,000,000 persons", "verify": "1,000,000 events < 60 s",
}


def cpu_row(i: Figures) -> list[str]:
    """The import's CPU per row beside what the import target leaves per row (absent from
    results written before the bench measured CPU)."""
    if "cpu_budget_us_per_row" not in i:
        return []
    return [f"| ↳ CPU per row of the file | the {i['cores']} cores {i['cpu_busy_share']:.0%} busy: our processes "
            f"{i['cpu_ours_us_per_row']:.0f} µs, PostgreSQL and the rest of the machine {i['cpu_rest_us_per_row']:.0f} µs "
            f"| at {IMPORT_TARGET_EVENTS_PER_S:,} events/s all cores together have {i['cpu_budget_us_per_row']:.0f} µs "
            f"per row; the ceiling's COPY alone took {i['cpu_floor_us_per_row']:.0f} µs of them "
            f"| {i['cpu_need_ratio']:.1f}× | — | |"]


def xlsx_row(x: Figures | None) -> list[str]:
    """The XLSX reader beside the CSV reader (absent from results written before it was measured)."""
    if not x:
        return []
    return [f"| ↳ reading an extract as XLSX | {x['calamine_rows_per_s']:,.0f} rows/s (calamine); openpyxl's reader, "
            f"used before: {x['openpyxl_rows_per_s']:,.0f} rows/s | the same {x['rows']:,} rows as CSV: "
            f"{x['csv_rows_per_s']:,.0f} rows/s | {x['csv_rows_per_s'] / x['calamine_rows_per_s']:.1f}× | — | |"]


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(figures: list[Figures], about: dict[str, str]) -> str:
    lines = [f"# Benchmark — {about['date']}", "",
             f"Machine: {about['cores']} cores ({about['cpu']}), {about['memory_gib']} GiB; Python {about['python']}; "
             f"{about['postgresql']}; canbao {about['canbao']}, eventsourcing {about['eventsourcing']}, "
             f"psycopg {about['psycopg']}. Produced by `canbao bench`; every baseline was measured in the same run.",
             ""]
    for f in figures:
        i, r, v, c, q = f["import"], f["rebuild"], f["verify"], f["commands"], f["queries"]
        lines += [f"## {f['persons']:,} persons", "",
                  "| figure | result | baseline (same run) | ratio | target | |", "|---|---|---|---|---|---|",
                  f"| bulk import | {i['rows']:,} rows → {i['events']:,} events, {i['events_per_s']:,.0f} events/s with "
                  f"{i.get('workers', 1)} worker processes, peak RSS (all processes) "
                  f"{i['peak_rss_mb']:,.0f} MiB | raw binary COPY of the same rows: {i['copy_events_per_s']:,.0f} rows/s "
                  f"| {i['ratio']:.1f}× | {TARGETS['import']} | "
                  f"{verdict(i['events_per_s'] >= IMPORT_TARGET_EVENTS_PER_S and i['ratio'] <= 3)} |",
                  f"| ↳ the storage's own ceiling | the same events and command-log rows COPYed into empty copies "
                  f"of the ledger's tables (indexes, WAL, sequence): {i['floor_events_per_s']:,.0f} events/s "
                  f"| import ÷ that COPY | {i['floor_ratio']:.1f}× | — | |",
                  *cpu_row(i), *xlsx_row(f.get("xlsx_read")),
                  f"| projection rebuild | {r['events_per_s']:,.0f} events/s with {r.get('workers', 1)} worker "
                  f"processes, peak RSS (all processes) {r['peak_rss_mb']:,.0f} MiB "
                  f"| raw ordered read: {r['scan_rows_per_s']:,.0f} rows/s | {r['ratio']:.1f}× | {TARGETS['rebuild']} | "
                  f"{verdict(r['events_per_s'] >= 150_000 and r['ratio'] <= 4)} |",
                  f"| verify | {v['events']:,} events in {v['seconds']:.1f} s ({'clean' if v['clean'] else 'NOT clean'}) "
                  f"| raw ordered read of the same events: {r['scan_seconds']:.1f} s | "
                  f"{v['seconds'] / r['scan_seconds']:.1f}× | {TARGETS['verify']} | "
                  f"{verdict(v['events_per_s'] >= 1_000_000 / 60)} |",
                  f"| command over HTTP (registerPerson) | median {c['http_median_ms']:.1f} ms, p99 {c['http_p99_ms']:.1f} ms "
                  f"| application service directly: {c['service_median_ms']:.1f} ms; eventsourcing plain insert: "
                  f"{c['plain_save_median_ms']:.1f} ms | {c['ratio_to_service']:.1f}× / {c['ratio_to_plain_save']:.1f}× "
                  f"| {TARGETS['command']} | {verdict(c['http_median_ms'] <= 5)} |",
                  f"| commands/s, 1 · 4 · 16 clients | {c['clients_1_per_s']:,.0f} · {c['clients_4_per_s']:,.0f} · "
                  f"{c['clients_16_per_s']:,.0f} | application service, one caller: "
                  f"{1000 / c['service_median_ms']:,.0f}/s | {1000 / c['service_median_ms'] / c['clients_1_per_s']:.1f}× "
                  f"(1 client) | — | |"]
        for name, label in (("history", "person history"), ("snapshot", "person snapshot as of 2019-12-31"),
                            ("roster", f"roster of {q['roster_size']:,} staff"), ("duplicate_page", "50 duplicate sets")):
            ok = q[f"{name}_p99_ms"] <= 20 if name in ("history", "snapshot") else True
            lines.append(f"| {label} | median {q[f'{name}_median_ms']:.1f} ms, p99 {q[f'{name}_p99_ms']:.1f} ms | "
                         f"`{{ __typename }}` over HTTP: median {q['floor_median_ms']:.1f} ms | "
                         f"{q[f'{name}_ratio']:.1f}× | {TARGETS['query'] if name in ('history', 'snapshot') else '—'} | "
                         f"{verdict(ok) if name in ('history', 'snapshot') else ''} |")
        lines.append("")
    if len(figures) > 1:
        small, large = figures[0], figures[-1]
        growth = large["persons"] / small["persons"]
        lines += ["## Scaling", "",
                  f"From {small['persons']:,} to {large['persons']:,} persons ({growth:.0f}× the data): import "
                  f"{small['import']['events_per_s']:,.0f} → {large['import']['events_per_s']:,.0f} events/s, rebuild "
                  f"{small['rebuild']['events_per_s']:,.0f} → {large['rebuild']['events_per_s']:,.0f} events/s, peak RSS "
                  f"of the import {small['import']['peak_rss_mb']:,.0f} → {large['import']['peak_rss_mb']:,.0f} MiB, "
                  f"history p99 {small['queries']['history_p99_ms']:.1f} → {large['queries']['history_p99_ms']:.1f} ms.",
                  ""]
    return "\n".join(lines)
