"""What every `canbao` command shares: consoles, the data-dir option, one-line failures,
and the ledger's services opened or a clear error instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from canbao.database import DatabaseUnavailable
from canbao.migrations import MigrationEdited
from canbao.services import Services, services
from canbao.settings import Settings

err = Console(stderr=True)
out = Console()

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="CANBAO_DATA_DIR", help="Where the embedded PostgreSQL keeps its files."),
]


def require_scale_extra(what: str) -> None:
    """One clear line, not a traceback, when the optional Dask/Parquet packages are not installed."""
    from importlib.util import find_spec

    missing = [name for name in ("dask", "distributed", "pyarrow") if find_spec(name) is None]
    if missing:
        fail(f"{what} needs the scale extra ({', '.join(missing)} missing): pip install -e '.[scale]'")


def fail(message: str) -> None:
    # The message is text, not markup: "[scale]" or "[years.2027]" must reach the user as written.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def running(data_dir: Path | None, serving: bool = False) -> Iterator[Services]:
    """The ledger's services, or a one-line error instead of a traceback."""
    try:
        with services(Settings.from_env(data_dir), serving) as ready:
            yield ready
    except (DatabaseUnavailable, MigrationEdited) as problem:
        fail(str(problem))


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


def report(what: str, events: int, seconds: float) -> None:
    rate = events / seconds if seconds > 0 else 0.0
    out.print(f"{what}: {events:,} events in {seconds:.2f} s ({rate:,.0f} events/s)", highlight=False)
