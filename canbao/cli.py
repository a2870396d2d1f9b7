"""`canbao`: run the ledger and its chores from the command line.

The commands live with their concern (cli_projections, cli_data, cli_audit); this module
holds the root, serving, migrations, tokens, the schema and the benchmark.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from canbao import cli_audit, cli_data
from canbao.cli_common import DataDir, err, fail, out, running
from canbao.cli_data import export_app, load_sample, report_app
from canbao.cli_print import print_app
from canbao.cli_projections import national_app, projections_app
from canbao.cli_reference import non_enrolled_report, reference_app
from canbao.cli_requests import calendar_app, catalogue_table, requests_ledger
from canbao.database import DatabaseUnavailable, ledger_database
from canbao.migrations import MigrationEdited, apply_migrations
from canbao.settings import Settings, token_secret

app = typer.Typer(
    help="canbao 参保 — an event-sourced ledger of basic medical insurance enrollment.\n\n"
    "With DATABASE_URL set it uses that PostgreSQL; otherwise an embedded PostgreSQL "
    "keeps its files in CANBAO_DATA_DIR (or --data-dir).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    clock: Annotated[str | None, typer.Option(
        "--clock", envvar="CANBAO_CLOCK",
        help="Run on a fixed clock (2026-12-21T09:00+08:00) or one that starts there and runs on "
             "(from:2026-12-21T09:00+08:00), for drills and tests. Never on by default.")] = None,
) -> None:
    """canbao 参保 — an event-sourced ledger of basic medical insurance enrollment."""
    if clock:
        from application.clock import ClockSpecError, clock_from_spec

        try:
            chosen = clock_from_spec(clock)
        except ClockSpecError as bad:
            fail(f"--clock: {bad}")
        # Read by Settings in this process and inherited by the import's worker processes.
        os.environ["CANBAO_CLOCK"] = clock
        err.print(f"[bold yellow]canbao runs on a {chosen.describe()}[/]", highlight=False)


token_app = typer.Typer(help="Bearer tokens for the API's roles.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(token_app, name="token")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")
app.add_typer(print_app, name="print")
app.add_typer(calendar_app, name="calendar")
app.add_typer(national_app, name="national")
app.add_typer(reference_app, name="reference")
report_app.command("non-enrolled")(non_enrolled_report)
app.command("catalogue")(catalogue_table)
app.command("requests")(requests_ledger)
app.command("demo-data")(cli_data.demo_data)
app.command("import")(cli_data.import_file)
app.command()(cli_audit.digest)
app.command()(cli_audit.verify)
app.command()(cli_audit.replay)


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
    sample_data: Annotated[
        bool,
        typer.Option(
            "--sample-data", help="Load a generated population of 2,000 persons first if the ledger is empty."
        ),
    ] = False,
    graphiql: Annotated[bool, typer.Option(help="Serve the GraphiQL page to browsers.")] = True,
    introspection: Annotated[
        bool, typer.Option(envvar="CANBAO_INTROSPECTION", help="Allow schema introspection.")
    ] = True,
    statement_count: Annotated[
        bool,
        typer.Option(
            envvar="CANBAO_STATEMENT_COUNT", help="Report SQL statements per request in the response extensions."
        ),
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes sharing the port (one per core uses every core).")
    ] = 1,
    data_dir: DataDir = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and a health check at /healthz."""
    import signal

    import uvicorn

    from ledger_api.app import ApiSettings, create_app

    # uvicorn stops gracefully on SIGTERM and then raises it again; exiting here instead lets the
    # ledger close its pool and stop the embedded PostgreSQL (systemd, docker stop, kill).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    settings = Settings.from_env(data_dir)
    with running(data_dir, serving=True) as ready:
        if sample_data and ready.runner.head() == 0:
            load_sample(ready)
        api = ApiSettings(token_secret(settings), graphiql, introspection, statement_count)
        err.print(
            f"canbao: GraphQL at http://{host}:{port}/graphql — issue a token with `canbao token issue`"
            + (f" ({workers} server processes)" if workers > 1 else ""),
            highlight=False,
        )
        # With several server processes, this one (their supervisor, otherwise idle) follows the
        # log: a worker that followed would run its requests' Python between the projections'.
        ready.follow_projections()
        try:
            if workers > 1:
                from canbao.worker_app import serve_in_processes, serving_environment

                os.environ.update(serving_environment(ready.conninfo, api, settings))
                serve_in_processes(host, port, workers)
            else:
                from canbao.worker_app import settle_heap

                served = create_app(ready, api)
                settle_heap()
                uvicorn.run(served, host=host, port=port, log_level="info")
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
def bench(
    persons: Annotated[int, typer.Option(help="Population at 100%.")] = 1_000_000,
    fractions: Annotated[str, typer.Option(help="Sizes to run, as fractions of --persons.")] = "0.1,1",
    samples: Annotated[int, typer.Option(help="Requests per latency figure (a p99 is its slowest 1%: "
                                                "1,000 give it ten).")] = 1000,
    seed: Annotated[int, typer.Option(help="Population seed.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help="Markdown table to write.")] = Path("docs/bench-latest.md"),
) -> None:
    """Measure import, rebuild, verify, commands and queries, each beside a same-run baseline."""
    import json

    from bench.report import machine, markdown
    from bench.run import run_size

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
    from ledger_api.schema import build_schema

    print(str(build_schema()))
