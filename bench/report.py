"""The benchmark's figures as the Markdown table kept in docs/bench-latest.md."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from importlib.metadata import version
from typing import Any

import psutil

Figures = dict[str, Any]


def machine() -> dict[str, str]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": str(psutil.cpu_count()),
        "memory_gib": f"{psutil.virtual_memory().total / 2**30:.0f}",
        "canbao": version("canbao"),
        "eventsourcing": version("eventsourcing"),
        "psycopg": version("psycopg"),
        "postgresql": "embedded pgserver 16" if not os.environ.get("DATABASE_URL") else "DATABASE_URL",
    }


IMPORT_TARGET_EVENTS_PER_S = 100_000
TARGETS = {  # design.md "Speed targets", as ratios to same-run baselines (issue 20)
    "stored": "median ≤ 60% of the JSON form",
    "import": "≤ 1.5× the storage's ceiling",
    "rebuild": "≤ 2.5× a raw read",
    "command": "median ≤ 3× the plain insert",
    "clients": "16 clients ≥ 2× one",
    "query": "p99 ≤ 3× the floor's p99",
    "page": "median ≤ 3× the floor's",
    "verify": "1,000,000 events < 60 s",
}


def cpu_row(i: Figures) -> list[str]:
    """The import's CPU per row beside what the import target leaves per row (absent from
    results written before the bench measured CPU)."""
    if "cpu_budget_us_per_row" not in i:
        return []
    return [
        f"| ↳ CPU per row of the file | the {i['cores']} cores {i['cpu_busy_share']:.0%} busy: our processes "
        f"{i['cpu_ours_us_per_row']:.0f} µs, PostgreSQL and the rest of the machine {i['cpu_rest_us_per_row']:.0f} µs "
        f"| at {IMPORT_TARGET_EVENTS_PER_S:,} events/s all cores together have {i['cpu_budget_us_per_row']:.0f} µs "
        f"per row; the ceiling's COPY alone took {i['cpu_floor_us_per_row']:.0f} µs of them "
        f"| {i['cpu_need_ratio']:.1f}× | — | |"
    ]


def xlsx_row(x: Figures | None) -> list[str]:
    """The XLSX reader beside the CSV reader (absent from results written before it was measured)."""
    if not x:
        return []
    return [
        f"| ↳ reading an extract as XLSX | {x['calamine_rows_per_s']:,.0f} rows/s (calamine); openpyxl's reader, "
        f"used before: {x['openpyxl_rows_per_s']:,.0f} rows/s | the same {x['rows']:,} rows as CSV: "
        f"{x['csv_rows_per_s']:,.0f} rows/s | {x['csv_rows_per_s'] / x['calamine_rows_per_s']:.1f}× | — | |"
    ]


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(figures: list[Figures], about: dict[str, str]) -> str:
    lines = [
        f"# Benchmark — {about['date']}",
        "",
        f"Machine: {about['cores']} cores ({about['cpu']}), {about['memory_gib']} GiB; Python {about['python']}; "
        f"{about['postgresql']}; canbao {about['canbao']}, eventsourcing {about['eventsourcing']}, "
        f"psycopg {about['psycopg']}. Produced by `canbao bench`; every baseline was measured in the same run.",
        "",
    ]
    for f in figures:
        lines += [*size_section(f), *query_rows(f["queries"]), *page_rows(f.get("pages")), ""]
    if len(figures) > 1:
        lines += scaling(figures[0], figures[-1])
    return "\n".join(lines)


def size_section(f: Figures) -> list[str]:
    """The table of one population size: import, rebuild, verify and commands."""
    i, r, v, c = f["import"], f["rebuild"], f["verify"], f["commands"]
    scaling_16 = c["clients_16_per_s"] / c["clients_1_per_s"]
    return [
        f"## {f['persons']:,} persons",
        "",
        "| figure | result | baseline (same run) | ratio | target | |",
        "|---|---|---|---|---|---|",
        *stored_row(f.get("stored")),
        f"| bulk import | {i['rows']:,} rows → {i['events']:,} events, {i['events_per_s']:,.0f} events/s with "
        f"{i.get('workers', 1)} worker processes, {peak_memory(i)} | the storage's own ceiling: the same "
        f"events and command-log rows COPYed into empty copies of the ledger's tables (indexes, WAL, "
        f"sequence), {i['floor_events_per_s']:,.0f} events/s | {i['floor_ratio']:.1f}× | {TARGETS['import']} "
        f"| {verdict(i['floor_ratio'] <= 1.5)} |",
        f"| ↳ raw COPY into a bare table | — | the same rows: {i['copy_events_per_s']:,.0f} rows/s "
        f"| {i['ratio']:.1f}× | — | |",
        *cpu_row(i),
        *contribution_row(f.get("contributions"), i),
        *xlsx_row(f.get("xlsx_read")),
        *register_row(f.get("register")),
        f"| projection rebuild | {r['events_per_s']:,.0f} events/s with {r.get('workers', 1)} worker "
        f"processes, {peak_memory(r)} | raw ordered read: {r['scan_rows_per_s']:,.0f} rows/s | {r['ratio']:.1f}× "
        f"| {TARGETS['rebuild']} | {verdict(r['ratio'] <= 2.5)} |",
        *dask_rows(f.get("dask_rebuild")),
        f"| verify | {v['events']:,} events in {v['seconds']:.1f} s ({'clean' if v['clean'] else 'NOT clean'}) "
        f"| raw ordered read of the same events: {r['scan_seconds']:.1f} s | "
        f"{v['seconds'] / r['scan_seconds']:.1f}× | {TARGETS['verify']} | "
        f"{verdict(v['events_per_s'] >= 1_000_000 / 60)} |",
        f"| command over HTTP (registerPerson) | median {c['http_median_ms']:.1f} ms, "
        f"p99 {c['http_p99_ms']:.1f} ms "
        f"| application service directly: {c['service_median_ms']:.1f} ms; eventsourcing plain insert: "
        f"{c['plain_save_median_ms']:.1f} ms | {c['ratio_to_service']:.1f}× / {c['ratio_to_plain_save']:.1f}× "
        f"| {TARGETS['command']} | {verdict(c['ratio_to_plain_save'] <= 3)} |",
        f"| commands/s, 1 · 4 · 16 clients ({c.get('server_processes', 1)} server processes) | "
        f"{c['clients_1_per_s']:,.0f} · {c['clients_4_per_s']:,.0f} · {c['clients_16_per_s']:,.0f} "
        f"| one client: {c['clients_1_per_s']:,.0f}/s | {scaling_16:.1f}× (16 clients) | {TARGETS['clients']} "
        f"| {verdict(scaling_16 >= 2)} |",
    ]


def stored_row(s: Figures | None) -> list[str]:
    """Bytes per stored event beside the JSON form of the same events (absent from older results)."""
    if not s:
        return []
    return [f"| stored event | median {s['median_bytes']:,.0f} bytes, p99 {s['p99_bytes']:,.0f} bytes "
            f"({s['events']:,} events) | the same events in the JSON form stored before: median "
            f"{s['json_median_bytes']:,.0f}, p99 {s['json_p99_bytes']:,.0f} | {s['ratio']:.0%} | {TARGETS['stored']} "
            f"| {verdict(s['ratio'] <= 0.6)} |"]


def register_row(g: Figures | None) -> list[str]:
    """The comparison with the population register (issue 19) beside raw joins of the two tables."""
    if not g:
        return []
    found = g["findings"]
    return [f"| register comparison | {g['persons']:,} persons × {g['register_rows']:,} register rows in "
            f"{g['seconds']:.2f} s{each(g.get('seconds_each'))} ({found['not_in_register']:,} not in the register, "
            f"{found['mismatch']:,} disagreeing, {found['death_unrecorded']:,} deaths unrecorded, "
            f"{found['not_enrolled']:,} not enrolled); "
            f"{server_memory_text(g)}loading the register {g['load_seconds']:.1f} s "
            f"| full join of persons and register reading the compared columns: {g['join_seconds']:.2f} s"
            f"{each(g.get('join_seconds_each'))} "
            f"(inner join counted from the indexes: {g['count_join_seconds']:.2f} s) | {g['ratio']:.1f}× "
            f"| < 2× the raw join, flat memory | {verdict(g['ratio'] < 2)} |"]


def each(seconds: list[float] | None) -> str:
    """", the median of 3 timed in turn with the other side: a, b, c s" — or nothing, for one run
    (reports of runs before a figure was timed more than once)."""
    if not seconds or len(seconds) == 1:
        return ""
    return f", the median of {len(seconds)} timed in turn with the other side: " + \
        ", ".join(f"{s:.2f}" for s in seconds) + " s"


def server_memory_text(g: Figures) -> str:
    peak = g.get("server_peak_mb")
    if "rss_growth_mb" not in g:  # a run from before these were measured
        return f"peak RSS {g['peak_rss_mb']:,.0f} MiB; "
    own = f"the bench's own RSS grew {g['rss_growth_mb']:,.0f} MiB during it"
    return own + ("; " if peak is None else f", PostgreSQL's backend and parallel workers held at most {peak:,.0f} MiB "
                  "of private memory (the parallel hash's shared segments and the buffer pool not counted); ")


def dask_rows(d: Figures | None) -> list[str]:
    """The rebuild on a Dask LocalCluster (issue 21), beside the single-machine rebuild and a raw read."""
    if not d:
        return []
    rows = []
    for w in (1, 2):
        took = d[f"workers_{w}_seconds"]
        rows.append(f"| ↳ on Dask, {w} worker{'s' if w > 1 else ''} (export to Parquet included) | "
                    f"{d[f'workers_{w}_events_per_s']:,.0f} events/s, {took:.1f} s | single-machine rebuild: "
                    f"{d['single_seconds']:.1f} s; raw ordered read: {d['scan_seconds']:.1f} s | "
                    f"{took / d['single_seconds']:.1f}× / {took / d['scan_seconds']:.1f}× | — | |")
    return rows


def page_rows(p: Figures | None) -> list[str]:
    """The browser pages, each beside the GraphQL query it renders (issue 22: median < 300 ms)."""
    if not p:
        return []
    return [f"| page: {label} | median {p[f'{name}_median_ms']:.1f} ms, p99 {p[f'{name}_p99_ms']:.1f} ms "
            f"| the GraphQL queries it renders: median {p[f'{name}_query_median_ms']:.1f} ms "
            f"| {p[f'{name}_ratio']:.1f}× | median < 300 ms | {verdict(p[f'{name}_median_ms'] < 300)} |"
            for name, label in (("person_page", "a person's history with its picture (/ui/person)"),
                                ("console_page", "the office console (/ui/)"))]


def peak_memory(phase: Figures) -> str:
    """A phase's own peak memory (its worker processes and what the bench process grew by), and
    all processes' (the bench's leftovers from earlier phases included); the second alone for a
    run from before the first was measured."""
    every = f"{phase['peak_rss_mb']:,.0f} MiB"
    if "phase_rss_mb" not in phase:
        return f"peak RSS (all processes) {every}"
    return f"peak RSS of its processes {phase['phase_rss_mb']:,.0f} MiB (with the bench's own: {every})"


def processes(workers: int) -> str:
    return "one process" if workers == 1 else f"{workers} worker processes"


def contribution_row(c: Figures | None, extract: Figures) -> list[str]:
    """A monthly contribution file: held to the person extract's ratio to the storage's ceiling."""
    if not c:
        return []
    head = (f"| contribution file import | {c['rows']:,} rows → {c['events']:,} events in {c['seconds']:.2f} s"
            f"{each(c.get('seconds_each'))}, {c['rows_per_s']:,.0f} rows/s, {processes(c['workers'])} "
            f"({c['refused']:,} refused{' in the last file' if c.get('seconds_each') else ''}) | ")
    # The extract is written into tables that start empty, so empty copies are its tables as they
    # stand; the file is written into tables that hold the extract's events.
    return [f"{head}the same events and command-log rows COPYed into the ledger's tables as the file found them "
            f"(rolled back): {c['in_place_seconds']:.2f} s{each(c.get('in_place_seconds_each'))} "
            f"| {c['in_place_ratio']:.1f}× (person extract: "
            f"{extract['floor_ratio']:.1f}×) | no worse a ratio than the person extract "
            f"| {verdict(c['in_place_ratio'] <= extract['floor_ratio'])} |",
            f"| ↳ into empty copies of the tables (the ceiling before 2026-12-07) | — | {c['floor_seconds']:.2f} s "
            f"| {c['floor_ratio']:.1f}× | — | |"]


def of(q: Figures) -> str:
    """" of 1,000 requests" — or nothing, in reports of runs before the count was kept."""
    return f" of {q['samples']:,} requests" if "samples" in q else ""


def query_rows(q: Figures) -> list[str]:
    rows = []
    for name, label in (
        ("history", "person history"),
        ("snapshot", "person snapshot as of 2019-12-31"),
        ("roster", f"roster of {q['roster_size']:,} staff"),
        ("duplicate_page", "50 duplicate sets"),
    ):
        p99_ratio = q[f"{name}_p99_ms"] / q["floor_p99_ms"]
        by_p99 = name in ("history", "snapshot")
        ratio, ok = (p99_ratio, p99_ratio <= 3) if by_p99 else (q[f"{name}_ratio"], q[f"{name}_ratio"] <= 3)
        target = TARGETS["query"] if by_p99 else TARGETS["page"] if name == "duplicate_page" else "—"
        rows.append(
            f"| {label} | median {q[f'{name}_median_ms']:.1f} ms, p99 {q[f'{name}_p99_ms']:.1f} ms{of(q)} | "
            f"`{{ __typename }}` over HTTP: median {q['floor_median_ms']:.1f} ms, p99 {q['floor_p99_ms']:.1f} ms | "
            f"{ratio:.1f}× ({'p99' if by_p99 else 'median'}) | {target} | {verdict(ok) if target != '—' else ''} |"
        )
    return rows


def scaling(small: Figures, large: Figures) -> list[str]:
    growth = large["persons"] / small["persons"]
    return [
        "## Scaling",
        "",
        f"From {small['persons']:,} to {large['persons']:,} persons ({growth:.0f}× the data): import "
        f"{small['import']['events_per_s']:,.0f} → {large['import']['events_per_s']:,.0f} events/s, rebuild "
        f"{small['rebuild']['events_per_s']:,.0f} → {large['rebuild']['events_per_s']:,.0f} events/s, peak RSS "
        f"of the import's processes {rss(small['import'])} → {rss(large['import'])} MiB, "
        f"history p99 {small['queries']['history_p99_ms']:.1f} → {large['queries']['history_p99_ms']:.1f} ms"
        f"{register_scaling(small.get('register'), large.get('register'))}.",
        "",
    ]


def rss(phase: Figures) -> str:
    return f"{phase.get('phase_rss_mb', phase['peak_rss_mb']):,.0f}"


def register_scaling(small: Figures | None, large: Figures | None) -> str:
    """How the register comparison's time and PostgreSQL's memory for it grew with the data."""
    if not (small and large and small.get("server_peak_mb") is not None and large.get("server_peak_mb") is not None):
        return ""
    return (f", register comparison {small['seconds']:.2f} → {large['seconds']:.2f} s with PostgreSQL's private "
            f"memory for it {small['server_peak_mb']:,.0f} → {large['server_peak_mb']:,.0f} MiB")
