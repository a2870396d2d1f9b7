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
from canbao.settings import Settings
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
    data_dir: DataDir = None,
) -> None:
    """Serve GraphQL at /graphql (GraphiQL in a browser) and a health check at /healthz."""
    import uvicorn

    from ledger_api.app import create_app

    with running(data_dir) as ready:
        ready.follow_projections()
        err.print(f"canbao: GraphQL at http://{host}:{port}/graphql", highlight=False)
        try:
            uvicorn.run(create_app(ready.conninfo), host=host, port=port, log_level="info")
        finally:
            ready.stop()


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


def report(what: str, events: int, seconds: float) -> None:
    rate = events / seconds if seconds > 0 else 0.0
    out.print(f"{what}: {events:,} events in {seconds:.2f} s ({rate:,.0f} events/s)", highlight=False)
