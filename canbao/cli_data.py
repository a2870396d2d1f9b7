"""Legacy data in, reports and rosters out: demo-data, import, report, export."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from canbao.cli_common import DataDir, day_of, err, fail, moment, out, require_scale_extra, running
from canbao.cli_projections import bring_up_to_date
from canbao.progress import row_progress
from canbao.services import Services
from domain.clock import ALL_RECORDED

report_app = typer.Typer(help="The cleanup reports of seed 001 (附件2, 附件4, 附件5).", no_args_is_help=True)
export_app = typer.Typer(help="Files for units and offices to check offline.", no_args_is_help=True)


def demo_data(
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write (annex 附件1 Chinese headers).")] = Path(
        "demo-extract.csv"
    ),
    persons: Annotated[int, typer.Option(help="How many persons.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same file.")] = 1,
    register: Annotated[Path, typer.Option(help="Where to write the population register of the same persons "
                                                "(with unregistered, renamed and dead persons planted).")] = Path(
        "demo-register.csv"),
) -> None:
    """Write a synthetic, realistic legacy extract for one province (with duplicates and bad rows),
    and a population register to compare it with (`canbao reference load`)."""
    from application.clock import clock_from_spec
    from demo.population import write_extract
    from demo.register import persons_of_extract, write_register
    from domain.clock import business_date

    started = time.perf_counter()
    rows = write_extract(out_file, persons, seed)
    out.print(f"wrote {rows:,} rows for {persons:,} persons to {out_file} in {time.perf_counter() - started:.1f} s")
    today = business_date(clock_from_spec(os.environ.get("CANBAO_CLOCK")).now())  # --clock, if given
    planted = write_register(persons_of_extract(out_file, today), register, seed, today,
                             outsiders=max(persons // 25, 10))
    out.print(f"wrote the register to {register}: {len(planted.omitted):,} enrolled persons left out, "
              f"{len(planted.renamed):,} renamed, {len(planted.dead):,} dead, {len(planted.outsiders):,} not in "
              "the extract", highlight=False)


def import_file(
    file: Annotated[Path, typer.Argument(help="A legacy extract or a monthly contribution file: CSV (UTF-8 or "
                                              "GB18030) or XLSX; or the word cross-province, then the file.")],
    feedback: Annotated[Path | None, typer.Argument(help="After cross-province: the national feedback of "
                                                         "cross-province duplicates.")] = None,
    errors: Annotated[Path | None, typer.Option(help="Where to write the XLSX of refused rows.")] = None,
    status_3_means: Annotated[
        str | None,
        typer.Option(help="What legacy status 3 means in this extract: 1, 2 or 4 (rows with 3 are refused otherwise)."),
    ] = None,
    source: Annotated[
        str, typer.Option(help="For a contribution file: tax (the tax authority's monthly file) or legacy.")
    ] = "tax",
    data_dir: DataDir = None,
) -> None:
    """Import a legacy extract as history (valid rows in bulk), a monthly contribution file (a
    header with 费款所属期), or (cross-province FILE) the national feedback of cross-province
    duplicates; refused rows go to an XLSX report with the faulty cells in red."""
    from importer.bulk import import_extract
    from importer.contribution_file import is_contribution_file
    from importer.error_report import write_error_report

    if str(file) == "cross-province":
        if feedback is None:
            fail("give the national feedback file after cross-province")
        import_cross_province(feedback, errors, data_dir)  # type: ignore[arg-type]  # fail() exits otherwise
        return
    if feedback is not None or not file.exists():
        fail(f"{file} does not exist" if not file.exists() else "one file at a time (or cross-province FILE)")
    try:
        contributions = is_contribution_file(file)
    except ValueError as bad_file:
        fail(str(bad_file))
    if contributions:
        import_contribution_file(file, errors, source, data_dir)
        return
    with running(data_dir) as ready:
        started = time.perf_counter()
        try:
            with row_progress(f"import {file.name}", err) as progress:
                summary = import_extract(
                    ready.datastore,
                    file,
                    status_3_means,
                    lambda p: progress(p.rows_done, p.rows_total, p.events_written),
                    ready.conninfo,
                    clock=ready.clock,
                )
        except ValueError as bad_file:
            fail(str(bad_file))
        seconds = time.perf_counter() - started
        table = Table("rows read", "written", "already recorded", "refused", "duplicates flagged", "events", "events/s")
        table.add_row(
            *(
                f"{n:,}"
                for n in (
                    summary.rows_read,
                    summary.rows_written,
                    summary.rows_already_recorded,
                    len(summary.refused),
                    summary.duplicates_flagged,
                    summary.events_written,
                    round(summary.events_written / seconds) if seconds else 0,
                )
            )
        )
        out.print(table)
        if summary.checkpoint:
            out.print(f"audit checkpoint: {summary.checkpoint}", highlight=False)
        if summary.refused:
            target = errors or file.with_name(file.stem + ".errors.xlsx")
            write_error_report(file, summary.refused, target)
            out.print(f"refused rows, with the faulty cells in red: {target}")


def import_contribution_file(file: Path, errors: Path | None, source: str, data_dir: Path | None) -> None:
    from importer.contribution_file import SOURCES, ContributionFile, Source, import_contributions

    if source not in SOURCES:
        fail(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
    contributions = ContributionFile(file, cast(Source, source))
    with running(data_dir) as ready:
        started = time.perf_counter()
        try:
            with row_progress(f"import {file.name}", err) as progress:
                summary = import_contributions(ready.datastore, contributions, ready.clock,
                                               lambda p: progress(p.rows_done, p.rows_total, p.events_written),
                                               conninfo=ready.conninfo, workers=os.cpu_count() or 1)
        except ValueError as bad_file:
            fail(str(bad_file))
        seconds = time.perf_counter() - started
        table = Table("rows read", "months recorded", "already recorded", "refused", "rows/s")
        counts = (summary.rows_read, summary.rows_written, summary.rows_already_recorded, len(summary.refused),
                  round(summary.rows_read / seconds) if seconds else 0)
        table.add_row(*(f"{n:,}" for n in counts))
        out.print(table)
        if summary.refused:
            target = errors or file.with_name(file.stem + ".errors.xlsx")
            contributions.write_error_report(summary.refused, target)
            out.print(f"refused rows, with the faulty cells in red: {target}")


def import_cross_province(file: Path, errors: Path | None, data_dir: Path | None) -> None:
    """Keep the feedback, and list each person it names who is enrolled here with 附件5's columns."""
    from importer.cross_province_file import load_feedback, write_error_report
    from projections.cross_province import feedback_lines
    from projections.report_files import write_table
    from projections.reports import LIST_HEADERS

    if not file.exists():
        fail(f"{file} does not exist")
    with running(data_dir) as ready:
        bring_up_to_date(ready)
        with ready.datastore.get_connection() as conn:
            try:
                loaded = load_feedback(conn, file, ready.clock.now())
            except ValueError as bad:
                fail(str(bad))
            lines, unmatched = feedback_lines(conn, loaded.batch)
    target = file.with_name(f"{file.stem}-附件5.xlsx")
    write_table(target, "附件5", ["序号", *LIST_HEADERS], [(n, *line) for n, line in enumerate(lines, start=1)])
    out.print(f"{loaded.loaded:,} rows of {loaded.rows_read:,} kept ({len(loaded.refused):,} refused); "
              f"{len(lines):,} enrollments here of persons the feedback names, {unmatched:,} rows naming nobody "
              f"enrolled here; listed in {target}", highlight=False)
    if loaded.refused:
        report = errors or file.with_name(file.stem + ".errors.xlsx")
        write_error_report(file, loaded.refused, report)
        out.print(f"refused rows, with the faulty cells in red: {report}")


def load_sample_register(ready: Services, extract: Path, register: Path) -> None:
    """The sample population's register, loaded once as version "sample", and compared with the
    ledger as of the 2019-12-31 cut-off (so the comparison lists have something to show)."""
    from demo.register import persons_of_extract, write_register
    from importer.register_file import load_register
    from projections.register_comparison import compare

    write_register(persons_of_extract(extract, ready.today()), register, 2019, ready.today())
    bring_up_to_date(ready)  # the comparison reads the projections
    with ready.datastore.get_connection() as conn:
        if not conn.execute("SELECT 1 FROM reference_version WHERE name = 'sample'").fetchone():
            load_register(conn, register, "sample", ready.clock.now(), ready.today())
            now = ready.clock.now()
            compare(conn, date(2019, 12, 31), None, now, "sample")


SAMPLE_MANAGEMENT = {"9": ("01", "10"), "C": ("08", "90"), "F": ("02", "90")}  # code prefix → (管理类型, 单位类型)


def register_sample_units(ready: Services, extract: Path) -> int:
    """Register the units the sample extract names, as an office would have (employers, communities,
    flexible-worker units), so the sample's units answer queries; how many were registered."""
    import csv
    from uuid import uuid4

    from domain import commands as cmd
    from domain.errors import DomainError
    from domain.events import Actor

    with extract.open(encoding="utf-8-sig", newline="") as f:
        units = {r["单位编号"].strip().upper(): (r["单位名称"].strip(), r["参保地医保区划编码"].strip())
                 for r in csv.DictReader(f) if r["单位编号"].strip()[:1] in SAMPLE_MANAGEMENT}
    registered = 0
    for code, (name, region) in sorted(units.items()):
        management, unit_type = SAMPLE_MANAGEMENT[code[0]]
        context = cmd.Context(command_id=uuid4(), now=ready.clock.now(), channel="office",
                              actor=Actor(kind="system", id="sample-data"), evidence=("示例数据",))
        try:
            ready.ledger.execute(cmd.RegisterUnit(effective=date(2000, 1, 1), unit_code=code, name=name or code,
                                                  unit_type=unit_type, management_type=management, region=region),
                                 context)
            registered += 1
        except DomainError:
            continue  # the sample's faulty codes and names are refused, as a real office's would be
    return registered


def load_sample(ready: Services, persons: int = 2_000) -> None:
    import tempfile

    from demo.population import write_extract
    from importer.bulk import import_extract

    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / "sample-extract.csv"
        write_extract(extract, persons, seed=2019)
        summary = import_extract(ready.datastore, extract, conninfo=ready.conninfo, clock=ready.clock)
        register_sample_units(ready, extract)
        load_sample_register(ready, extract, Path(tmp) / "sample-register.csv")
    err.print(
        f"canbao: sample data — {summary.rows_written:,} enrollment rows of {persons:,} persons "
        f"({len(summary.refused):,} bad rows refused, as a real extract would have)",
        highlight=False,
    )


@report_app.command("cleanup")
def report_cleanup(
    before: Annotated[str, typer.Option(help="System time of the 'before' columns: what was known then.")],
    as_of: Annotated[str, typer.Option(help="The valid date counted (the cut-off).")] = "2019-12-31",
    after: Annotated[str | None, typer.Option(
        help="System time of the 'after' columns (default: all recorded).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for 附件2.xlsx and 附件2.csv.")] = Path("."),
    data_dir: DataDir = None,
) -> None:
    """附件2: per region, enrollment before and after cleaning, as of one valid date."""
    from projections.report_files import write_table
    from projections.reports import COLUMNS, cleanup_summary

    cut_off, then = day_of(as_of, "--as-of"), moment(before, "--before")
    with running(data_dir) as ready:
        known = moment(after, "--after") if after else ALL_RECORDED
        bring_up_to_date(ready)
        with ready.datastore.get_connection() as conn:
            rows = cleanup_summary(conn, cut_off, then, known)
    headers = ["序号", "医保区划", *(header for _, header in COLUMNS)]
    lines = [[n, r["region"], *(r[key] for key, _ in COLUMNS)] for n, r in enumerate(rows, start=1)]
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("xlsx", "csv"):
        write_table(out_dir / f"附件2-基本医疗保险参保情况清查汇总表.{suffix}", "附件2", headers, lines)
    table = Table("医保区划", "清查前", "虚假", "重复", "跨制度", "中断停保", "清查后实有", "其中退休")
    for r in rows:
        table.add_row(
            r["region"],
            *(
                f"{r[k]:,}"
                for k in (
                    "before_total",
                    "fake_total",
                    "duplicate_total",
                    "cross_employee",
                    "suspended_total",
                    "after_total",
                    "after_retired",
                )
            ),
        )
    out.print(table)
    out.print(f"written to {out_dir}/附件2-基本医疗保险参保情况清查汇总表.xlsx and .csv")


@report_app.command("duplicates")
def report_duplicates(
    kind: Annotated[
        str, typer.Option(help="within (附件4, within a scheme) or cross (附件5, across schemes).")
    ] = "cross",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date the overlaps are measured to (default: today in Beijing, on the ledger's clock). A "
            "cross-scheme overlap shorter than one calendar year is marked only; from one calendar year on it is "
            "cleaned (2019-03-01 has lasted a year on 2020-03-01, not on 2020-02-29)."
        ),
    ] = None,
    known_at: Annotated[str | None, typer.Option(
        help="System time: the sets as the ledger knew them then (default: all recorded).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="XLSX or CSV to write.")] = None,
    data_dir: DataDir = None,
) -> None:
    """附件4/附件5: the sets open on --as-of (both enrollments in force that day), one line per enrollment,
    with the rule for each."""
    from projections.report_files import write_table
    from projections.reports import LIST_HEADERS, LIST_KINDS, duplicate_list

    if kind not in LIST_KINDS:
        fail("--kind must be within or cross")
    annex = "附件4-制度内重复参保清理情况表" if kind == "within" else "附件5-跨制度重复参保清理情况表"
    with running(data_dir) as ready:
        bring_up_to_date(ready)
        with ready.datastore.get_connection() as conn:
            lines = duplicate_list(conn, kind, day_of(as_of, "--as-of") if as_of else ready.today(),
                                   moment(known_at, "--known-at") if known_at else ALL_RECORDED)
    target = write_table(
        out_file or Path(f"{annex}.xlsx"),
        annex[:3],
        ["序号", *LIST_HEADERS],
        [(n, *line) for n, line in enumerate(lines, start=1)],
    )
    out.print(f"{len(lines):,} lines written to {target}")


@export_app.command("events")
def export_log(
    to: Annotated[Path, typer.Option("--to", help="The folder to write the Parquet partitions and manifest to.")],
    partitions: Annotated[int, typer.Option(help="Partitions (by a hash of the stream id).")] = 8,
    since: Annotated[str | None, typer.Option(help="Only what came after this checkpoint digest "
                                                   "(canbao-digest-v1:…), for an incremental export.")] = None,
    data_dir: DataDir = None,
) -> None:
    """The log as Parquet, partitioned by stream, each partition's digest in a manifest bound to a new
    audit checkpoint (a reader refuses an altered or missing partition by name)."""
    require_scale_extra("exporting the log")
    from eventlog.export import export_events

    after = 0
    if since:
        try:
            after = int(since.split(":")[1])
        except (IndexError, ValueError):
            fail("--since takes a digest as canbao digest prints it (canbao-digest-v1:POSITION:COUNT:HASH)")
    with running(data_dir) as ready:
        manifest = export_events(ready.datastore, to, partitions, after)
    out.print(f"{sum(p.rows for p in manifest.partitions):,} events in {len(manifest.partitions)} partitions "
              f"written to {to}, up to checkpoint {manifest.checkpoint}", highlight=False)


@export_app.command("roster")
def export_roster(
    unit: Annotated[str, typer.Argument(help="The unit's code.")],
    as_of: Annotated[
        str | None,
        typer.Option(help="The roster on this valid date (default: today in Beijing, on the ledger's clock)."),
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="XLSX to write.")] = None,
    data_dir: DataDir = None,
) -> None:
    """The unit's 员工花名册 as XLSX, with wrong or missing required fields marked red (seed 000)."""
    from projections.report_files import write_table
    from projections.reports import ROSTER_HEADERS, ROSTER_REQUIRED, roster_export, unit_known

    with running(data_dir) as ready:
        bring_up_to_date(ready)
        with ready.datastore.get_connection() as conn:
            rows, faults = roster_export(conn, unit, day_of(as_of, "--as-of") if as_of else ready.today())
            if not rows and not unit_known(conn, unit):
                fail(f"no unit {unit}: none is registered and no enrollment names it; nothing written")
    target = write_table(out_file or Path(f"员工花名册-{unit}.xlsx"), "员工花名册", ROSTER_HEADERS, rows, faults,
                         ROSTER_REQUIRED)
    out.print(f"{len(rows):,} staff, {len(faults):,} cells to check, written to {target}")
