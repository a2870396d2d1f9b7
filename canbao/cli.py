"""`canbao`: run the ledger and its chores from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from canbao.database import DatabaseUnavailable, ledger_database
from canbao.migrations import MigrationEdited, apply_migrations
from canbao.settings import Settings

app = typer.Typer(
    help="canbao 参保 — an event-sourced ledger of basic medical insurance enrollment.\n\n"
    "With DATABASE_URL set it uses that PostgreSQL; otherwise an embedded PostgreSQL "
    "keeps its files in CANBAO_DATA_DIR (or --data-dir).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="CANBAO_DATA_DIR", help="Where the embedded PostgreSQL keeps its files."),
]


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


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

    try:
        with ledger_database(Settings.from_env(data_dir)) as conninfo:
            apply_migrations(conninfo)
            err.print(f"canbao: GraphQL at http://{host}:{port}/graphql", highlight=False)
            uvicorn.run(create_app(conninfo), host=host, port=port, log_level="info")
    except (DatabaseUnavailable, MigrationEdited) as problem:
        fail(str(problem))
