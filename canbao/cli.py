"""`canbao`: run the ledger and its chores from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.table import Table

from canbao.database import DatabaseUnavailable, ledger_database
from canbao.migrations import MigrationEdited, apply_migrations
from canbao.progress import event_progress
from canbao.services import Services, services
from canbao.settings import Settings, token_secret
from projections.catalog import select

app = typer.Typer(
    help="canbao 参保 — an event-sourced ledger of basic medical insurance enrollment.\n\n"
    "With DATABASE_URL set it uses that PostgreSQL; otherwise an embedded PostgreSQL "
    "keeps its files in CANBAO_DATA_DIR (or --data-dir).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
projections_app = typer.Typer(help="Read models kept from the event log: status, catch-up, rebuild.",
                               no_args_is_help=True)
app.add_typer(projections_app, name="projections")
token_app = typer.Typer(help="Bearer tokens for the API's roles.", no_args_is_help=True)
app.add_typer(token_app, name="token")
report_app = typer.Typer(help="The cleanup reports of seed 001 (附件2, 附件4, 附件5).", no_args_is_help=True)
app.add_typer(report_app, name="report")
export_app = typer.Typer(help="Files for units and offices to check offline.", no_args_is_help=True)
app.add_typer(export_app, name="export")
err = Console(stderr=True)
out = Console()

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="CANBAO_DATA_DIR", help="Where the embedded PostgreSQL keeps its files."),
]


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def running(data_dir: Path | None) -> Iterator[Services]:
    """The ledger's services, or a one-line error instead of a traceback."""
    try:
        with services(Settings.from_env(data_dir)) as ready:
            yield ready
    except (DatabaseUnavailable, MigrationEdited) as problem:
        fail(str(problem))


Names = Annotated[list[str] | None, typer.Argument(help="Projections to act on (default: all).", show_default=False)]


def chosen(names: list[str] | None):
    try:
        return select(names)
    except KeyError as unknown:
        fail(str(unknown.args[0]))


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply the numbered SQL migrations that have not been applied yet."""
    try:
        with ledger_database(Settings.from_env(data_dir)) as conninfo:
            applied = apply_migrations(conninfo)
    except (DatabaseUnavailable, MigrationEdited) as problem:
        fail(str(problem))
    print("\n".join(f"applied {name}" for name in applied) or "migrations: nothing to apply")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    sample_data: Annotated[bool, typer.Option(
        "--sample-data", help="Load a generated population of 2,000 persons first if the ledger is empty.")] = False,
    graphiql: Annotated[bool, typer.Option(help="Serve the GraphiQL page to browsers.")] = True,
    introspection: Annotated[bool, typer.Option(envvar="CANBAO_INTROSPECTION", help="Allow schema introspection.")] = True,
    statement_count: Annotated[bool, typer.Option(
        envvar="CANBAO_STATEMENT_COUNT", help="Report SQL statements per request in the response extensions.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and a health check at /healthz."""
    import uvicorn

    from ledger_api.app import ApiSettings, create_app

    settings = Settings.from_env(data_dir)
    with running(data_dir) as ready:
        if sample_data and ready.runner.head() == 0:
            load_sample(ready)
        ready.follow_projections()
        api = ApiSettings(token_secret(settings), graphiql, introspection, statement_count)
        err.print(f"canbao: GraphQL at http://{host}:{port}/graphql — issue a token with `canbao token issue`",
                  highlight=False)
        try:
            uvicorn.run(create_app(ready, api), host=host, port=port, log_level="info")
        finally:
            ready.stop()


@token_app.command("issue")
def token_issue(
    role: Annotated[str, typer.Option(help="office | unit_agent | person | auditor | analyst")],
    subject: Annotated[str, typer.Option(help="Who the token is for (a clerk's or agent's id).")],
    region: Annotated[str | None, typer.Option(help="An office's region code, e.g. 350100.")] = None,
    unit: Annotated[str | None, typer.Option(help="A unit agent's unit code.")] = None,
    id_number: Annotated[str | None, typer.Option(help="A person's own ID number.")] = None,
    hours: Annotated[float, typer.Option(help="How long the token is valid.")] = 8.0,
    data_dir: DataDir = None,
) -> None:
    """Print a signed bearer token for one role and scope; it expires after --hours."""
    from datetime import timedelta

    from ledger_api.auth import ROLES, NotAuthorised, Principal, issue_token, verify_token

    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}")
    secret = token_secret(Settings.from_env(data_dir))
    principal = Principal(subject, role, region, unit.upper() if unit else None, id_number)  # type: ignore[arg-type]
    token = issue_token(secret, principal, timedelta(hours=hours))
    try:
        verify_token(secret, token)
    except NotAuthorised as refused:
        fail(str(refused))
    print(token)


@app.command()
def digest(data_dir: DataDir = None) -> None:
    """Record a checkpoint over the whole log and print its digest: keep it outside the system."""
    from canbao.audit import record_checkpoint

    with running(data_dir) as ready:
        print(record_checkpoint(ready.datastore))


@app.command()
def verify(
    since: Annotated[str | None, typer.Option(help="A digest printed earlier by `canbao digest`.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Recompute every hash chain and checkpoint; report each event whose content, order or presence changed."""
    from canbao.audit import Digest
    from canbao.audit import verify as verify_log

    try:
        expected = Digest.parse(since) if since else None
    except ValueError as bad:
        fail(str(bad))
    with running(data_dir) as ready:
        started = time.perf_counter()
        with event_progress("verify", err) as progress:
            report = verify_log(ready.datastore, expected, progress)
        seconds = time.perf_counter() - started
    for finding in report.findings:
        out.print(f"[red]✗[/] {finding}", highlight=False)
    verdict = "clean" if report.clean else f"{len(report.findings)} problem(s)"
    out.print(f"verify: {report.events:,} events in {seconds:.1f} s — {verdict}", highlight=False)
    if not report.clean:
        raise typer.Exit(code=1)


@app.command()
def replay(
    subject: Annotated[str, typer.Argument(help="A person's ID number (15 or 18 digits), or a unit code with --unit.")],
    unit: Annotated[bool, typer.Option("--unit", help="Replay a unit instead of a person.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Valid date YYYY-MM-DD: the timeline on that day.")] = None,
    known_at: Annotated[str | None, typer.Option(help="System time (ISO 8601): as the ledger knew it then.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
    certificate_type: Annotated[str, typer.Option(help="Certificate type of the person.")] = "01",
    data_dir: DataDir = None,
) -> None:
    """A person's or unit's history as an auditor reads it: timeline, then every event."""
    import json
    from datetime import date as Date
    from datetime import datetime as DateTime
    from datetime import timezone

    from canbao.replay import person_replay, render, unit_replay

    try:
        day = Date.fromisoformat(as_of) if as_of else None
        seen = DateTime.fromisoformat(known_at) if known_at else None
    except ValueError as bad:
        fail(f"--as-of is YYYY-MM-DD and --known-at is ISO 8601: {bad}")
    if seen is not None and seen.tzinfo is None:
        seen = seen.replace(tzinfo=timezone.utc)
    with running(data_dir) as ready:
        if unit:
            result = unit_replay(ready.ledger.unit_stream(subject).events, seen)
        else:
            history = ready.ledger.person_stream(certificate_type, subject).events
            if not history:
                fail(f"no person is recorded under {subject}")
            result = person_replay(history, day, seen)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        render(result, out)


def moment(text: str, option: str):
    from datetime import datetime as DateTime
    from datetime import timezone

    try:
        value = DateTime.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be an ISO 8601 date or time, e.g. 2020-06-30 or 2020-06-30T18:00:00+08:00")
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def day_of(text: str, option: str):
    from datetime import date as Date

    try:
        return Date.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be a date YYYY-MM-DD")


@report_app.command("cleanup")
def report_cleanup(
    as_of: Annotated[str, typer.Option(help="The valid date counted (the cut-off).")] = "2019-12-31",
    before: Annotated[str, typer.Option(help="System time of the 'before' columns: what was known then.")] = ...,
    after: Annotated[str | None, typer.Option(help="System time of the 'after' columns (default: now).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for 附件2.xlsx and 附件2.csv.")] = Path("."),
    data_dir: DataDir = None,
) -> None:
    """附件2: per region, enrollment before and after cleaning, as of one valid date."""
    from datetime import datetime as DateTime
    from datetime import timezone

    from canbao.report_files import write_table
    from projections.reports import COLUMNS, cleanup_summary

    cut_off, then = day_of(as_of, "--as-of"), moment(before, "--before")
    now = moment(after, "--after") if after else DateTime.now(timezone.utc)
    with running(data_dir) as ready:
        with ready.datastore.get_connection() as conn:
            rows = cleanup_summary(conn, cut_off, then, now)
    headers = ["序号", "医保区划", *(header for _, header in COLUMNS)]
    lines = [[n, r["region"], *(r[key] for key, _ in COLUMNS)] for n, r in enumerate(rows, start=1)]
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("xlsx", "csv"):
        write_table(out_dir / f"附件2-基本医疗保险参保情况清查汇总表.{suffix}", "附件2", headers, lines)
    table = Table("医保区划", "清查前", "虚假", "重复", "跨制度", "中断停保", "清查后实有", "其中退休")
    for r in rows:
        table.add_row(r["region"], *(f"{r[k]:,}" for k in ("before_total", "fake_total", "duplicate_total",
                                                            "cross_employee", "suspended_total", "after_total",
                                                            "after_retired")))
    out.print(table)
    out.print(f"written to {out_dir}/附件2-基本医疗保险参保情况清查汇总表.xlsx and .csv")


@report_app.command("duplicates")
def report_duplicates(
    kind: Annotated[str, typer.Option(help="within (附件4, within a scheme) or cross (附件5, across schemes).")] = "cross",
    as_of: Annotated[str | None, typer.Option(help="Date the overlap lengths are measured to (default today).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="XLSX or CSV to write.")] = None,
    data_dir: DataDir = None,
) -> None:
    """附件4/附件5: the persons to clean, one line per enrollment, with the rule for each."""
    from datetime import date as Date

    from canbao.report_files import write_table
    from projections.reports import LIST_HEADERS, LIST_KINDS, duplicate_list

    if kind not in LIST_KINDS:
        fail("--kind must be within or cross")
    annex = "附件4-制度内重复参保清理情况表" if kind == "within" else "附件5-跨制度重复参保清理情况表"
    with running(data_dir) as ready:
        with ready.datastore.get_connection() as conn:
            lines = duplicate_list(conn, kind, day_of(as_of, "--as-of") if as_of else Date.today())
    target = write_table(out_file or Path(f"{annex}.xlsx"), annex[:3], ["序号", *LIST_HEADERS],
                         [(n, *line) for n, line in enumerate(lines, start=1)])
    out.print(f"{len(lines):,} lines written to {target}")


@export_app.command("roster")
def export_roster(
    unit: Annotated[str, typer.Argument(help="The unit's code.")],
    as_of: Annotated[str | None, typer.Option(help="The roster on this valid date (default today).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="XLSX to write.")] = None,
    data_dir: DataDir = None,
) -> None:
    """The unit's 员工花名册 as XLSX, with wrong or missing required fields marked red (seed 000)."""
    from datetime import date as Date

    from canbao.report_files import write_table
    from projections.reports import ROSTER_HEADERS, roster_export

    with running(data_dir) as ready:
        with ready.datastore.get_connection() as conn:
            rows, faults = roster_export(conn, unit, day_of(as_of, "--as-of") if as_of else Date.today())
    target = write_table(out_file or Path(f"员工花名册-{unit}.xlsx"), "员工花名册", ROSTER_HEADERS, rows, faults)
    out.print(f"{len(rows):,} staff, {len(faults):,} cells to check, written to {target}")


@app.command()
def bench(
    persons: Annotated[int, typer.Option(help="Population at 100%.")] = 1_000_000,
    fractions: Annotated[str, typer.Option(help="Sizes to run, as fractions of --persons.")] = "0.1,1",
    samples: Annotated[int, typer.Option(help="Requests per latency figure.")] = 200,
    seed: Annotated[int, typer.Option(help="Population seed.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help="Markdown table to write.")] = Path("docs/bench-latest.md"),
) -> None:
    """Measure import, rebuild, verify, commands and queries, each beside a same-run baseline."""
    import json

    from canbao.bench import machine, markdown, run_size

    sizes = [max(int(persons * float(f)), 100) for f in fractions.split(",")]
    results = []
    for size in sizes:
        results.append(run_size(size, seed, samples, lambda message: err.print(f"bench: {message}", highlight=False)))
    about = machine()
    text = markdown(results, about)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text + "\n", encoding="utf-8")
    out_file.with_suffix(".json").write_text(json.dumps({"machine": about, "runs": results}, indent=2, default=str))
    out.print(text, highlight=False)
    out.print(f"\nwritten to {out_file} and {out_file.with_suffix('.json')}")


@app.command("schema")
def print_schema() -> None:
    """Print the GraphQL schema (SDL); graphql/schema.graphql is this output."""
    from ledger_api.schema import schema

    print(str(schema))


def load_sample(ready: Services, persons: int = 2_000) -> None:
    import tempfile

    from canbao.bulk import BulkImporter
    from canbao.demo import write_extract
    from canbao.legacy_file import read_commands
    from domain.events import Actor

    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / "sample-extract.csv"
        write_extract(extract, persons, seed=2019)
        importer = BulkImporter(ready.store.datastore, Actor(kind="import_job", id="sample-data"))
        summary = importer.run(read_commands(extract, source="sample-extract.csv"))
    err.print(f"canbao: sample data — {summary.rows_written:,} enrollment rows of {persons:,} persons "
              f"({len(summary.refused):,} bad rows refused, as a real extract would have)", highlight=False)


@projections_app.command("status")
def projections_status(names: Names = None, data_dir: DataDir = None) -> None:
    """How far each projection has read the event log."""
    with running(data_dir) as ready:
        table = Table("projection", "position", "log head", "behind", "description")
        for projection, status in zip(chosen(names), ready.runner.status(chosen(names)), strict=True):
            table.add_row(status.name, f"{status.position:,}", f"{status.head:,}", f"{status.behind:,}",
                          projection.description)
        out.print(table)


@projections_app.command("catch-up")
def projections_catch_up(names: Names = None, data_dir: DataDir = None) -> None:
    """Apply the events recorded since each projection's tracked position."""
    with running(data_dir) as ready:
        for projection in chosen(names):
            with event_progress(f"catch-up {projection.name}", err) as progress:
                started = time.perf_counter()
                applied = ready.runner.catch_up(projection, progress=progress)
            report(projection.name, applied, time.perf_counter() - started)


@projections_app.command("rebuild")
def projections_rebuild(names: Names = None, data_dir: DataDir = None) -> None:
    """Recompute projections from the first event, in one transaction (the old tables stay until it commits)."""
    with running(data_dir) as ready:
        projections = chosen(names)
        with event_progress("rebuild " + ", ".join(p.name for p in projections), err) as progress:
            started = time.perf_counter()
            events, _ = ready.runner.rebuild(projections, progress=progress)
        report(", ".join(p.name for p in projections), events, time.perf_counter() - started)


@app.command("demo-data")
def demo_data(
    out_file: Annotated[Path, typer.Option("--out", help="CSV to write (annex 附件1 Chinese headers).")] = Path("demo-extract.csv"),
    persons: Annotated[int, typer.Option(help="How many persons.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same file.")] = 1,
) -> None:
    """Write a synthetic, realistic legacy extract for one province (with duplicates and bad rows)."""
    from canbao.demo import write_extract

    started = time.perf_counter()
    rows = write_extract(out_file, persons, seed)
    out.print(f"wrote {rows:,} rows for {persons:,} persons to {out_file} in {time.perf_counter() - started:.1f} s")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A legacy extract: CSV (UTF-8 or GB18030) or XLSX.", exists=True)],
    errors: Annotated[Path | None, typer.Option(help="Where to write the XLSX of refused rows.")] = None,
    status_3_means: Annotated[str | None, typer.Option(
        help="What legacy status 3 means in this extract: 1, 2 or 4 (rows with 3 are refused otherwise).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Import a legacy extract as history: valid rows in bulk, refused rows to an XLSX report."""
    from canbao.bulk import BulkImporter
    from canbao.error_report import write_error_report
    from canbao.legacy_file import read_commands
    from domain.events import Actor

    with running(data_dir) as ready:
        importer = BulkImporter(ready.store.datastore, Actor(kind="import_job", id=f"import:{file.name}"))
        started = time.perf_counter()
        try:
            commands = read_commands(file, source=file.name, status_3_means=status_3_means)
            with event_progress(f"import {file.name}", err) as progress:
                summary = importer.run(commands, lambda s: progress(s.events_written, s.events_written))
        except ValueError as bad_file:
            fail(str(bad_file))
        seconds = time.perf_counter() - started
        table = Table("rows read", "written", "already recorded", "refused", "duplicates flagged", "events",
                      "events/s")
        table.add_row(*(f"{n:,}" for n in (summary.rows_read, summary.rows_written, summary.rows_already_recorded,
                                           len(summary.refused), summary.duplicates_flagged, summary.events_written,
                                           round(summary.events_written / seconds) if seconds else 0)))
        out.print(table)
        if summary.events_written:  # an offline job: hash what it wrote now, not in the API server later
            from canbao.audit import record_checkpoint

            out.print(f"audit checkpoint: {record_checkpoint(ready.datastore)}", highlight=False)
        if summary.refused:
            target = errors or file.with_name(file.stem + ".errors.xlsx")
            write_error_report(file, summary.refused, target)
            out.print(f"refused rows, with the faulty cells in red: {target}")


def report(what: str, events: int, seconds: float) -> None:
    rate = events / seconds if seconds > 0 else 0.0
    out.print(f"{what}: {events:,} events in {seconds:.2f} s ({rate:,.0f} events/s)", highlight=False)
