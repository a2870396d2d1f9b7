"""`canbao projections status | catch-up | rebuild [NAME]`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from canbao.cli_common import DataDir, err, fail, out, report, require_scale_extra, running
from canbao.progress import event_progress
from canbao.services import Services
from projections.catalog import PROJECTIONS, select
from projections.quarantine import quarantined

projections_app = typer.Typer(help="Read models kept from the event log: status, catch-up, rebuild.",
                               no_args_is_help=True)
Names = Annotated[list[str] | None, typer.Argument(help="Projections to act on (default: all).", show_default=False)]


def chosen(names: list[str] | None):
    try:
        return select(names)
    except KeyError as unknown:
        fail(str(unknown.args[0]))


@projections_app.command("status")
def projections_status(names: Names = None, data_dir: DataDir = None) -> None:
    """How far each projection has read the event log."""
    with running(data_dir) as ready:
        table = Table("projection", "position", "log head", "behind", "quarantined", "description")
        for projection, status in zip(chosen(names), ready.runner.status(chosen(names)), strict=True):
            table.add_row(status.name, f"{status.position:,}", f"{status.head:,}", f"{status.behind:,}",
                          f"[bold red]{status.quarantined:,}[/]" if status.quarantined else "0",
                          projection.description)
        out.print(table)
        with ready.datastore.get_connection() as conn:
            held = quarantined(conn, [p.name for p in chosen(names)])
        if held:
            listing = Table("projection", "stream", "log position", "why", title="quarantined streams")
            for q in held:
                listing.add_row(q.projection, str(q.stream_id), f"{q.position:,}", q.error)
            out.print(listing)
            out.print("A correcting event recorded by an office clears a stream from the quarantine.")


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
def projections_rebuild(
    names: Names = None,
    engine: Annotated[str, typer.Option(help="local (worker processes here) or dask (a Dask cluster).")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="With --engine dask: the scheduler's address "
                                                       "(default: a LocalCluster here).")] = None,
    workers: Annotated[int, typer.Option(help="With --engine dask and no scheduler: LocalCluster workers.")] = 2,
    to: Annotated[Path | None, typer.Option("--to", help="With --engine dask: write Parquet files for analysts "
                                                         "here instead of the tables.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Recompute projections from the first event, in one transaction (the old tables stay until it commits);
    one worker process per core derives the rows — or, with --engine dask, the tasks of a Dask cluster."""
    if engine not in ("local", "dask"):
        fail(f"--engine is local or dask, not {engine!r}")
    if engine == "dask":
        rebuild_on_cluster(names, scheduler, workers, to, data_dir)
        return
    with running(data_dir) as ready:
        projections = chosen(names)
        with event_progress("rebuild " + ", ".join(p.name for p in projections), err) as progress:
            started = time.perf_counter()
            events, _ = ready.runner.rebuild(projections, progress=progress)
        report(", ".join(p.name for p in projections), events, time.perf_counter() - started)


def rebuild_on_cluster(names: list[str] | None, scheduler: str | None, workers: int, to: Path | None,
                       data_dir: Path | None) -> None:
    require_scale_extra("the Dask engine")
    from projections.dask_rebuild import rebuild_on_dask

    with running(data_dir) as ready:
        projections = chosen(names)
        with event_progress("rebuild on Dask (partitions)", err) as progress:
            started = time.perf_counter()
            rows, upto = rebuild_on_dask(ready.runner, projections, scheduler, workers, to, progress)
        out.print(f"{rows:,} rows derived up to position {upto:,} in {time.perf_counter() - started:.1f} s"
                  + (f", written to {to}" if to else ""), highlight=False)


def bring_up_to_date(ready: Services, attempts: int = 5) -> None:
    """Before a report reads the projections, apply what the log holds beyond them, so a
    report made right after `canbao import` counts what it imported. A projection that has
    read nothing yet is rebuilt (one scan of the log, the faster path). A `canbao serve`
    applying the same events meanwhile is harmless: one runner's batch rolls back, the
    other's stands, and this one carries on from the tracked position."""
    from eventsourcing.persistence import IntegrityError

    for _ in range(attempts):
        behind = {s.name: s for s in ready.runner.status(PROJECTIONS) if s.behind}
        if not behind:
            return
        unread = [p for p in PROJECTIONS if p.name in behind and behind[p.name].position == 0]
        try:
            if unread:
                with event_progress("building " + ", ".join(p.name for p in unread), err) as progress:
                    ready.runner.rebuild(unread, progress=progress)
            for projection in (p for p in PROJECTIONS if p.name in behind and p not in unread):
                with event_progress(f"catch-up {projection.name}", err) as progress:
                    ready.runner.catch_up(projection, progress=progress)
        except IntegrityError:
            continue  # another runner moved a projection on meanwhile: look again
    fail("the projections kept moving while this report waited for them (is a rebuild running?); try again")


national_app = typer.Typer(help="Checks across provinces' ledgers, on a Dask cluster.", no_args_is_help=True)


@national_app.command("duplicates")
def national_duplicates_command(
    exports: Annotated[list[Path], typer.Option("--exports", help="A province's export folder (repeat the option "
                                                                  "for each province).")],
    as_of: Annotated[str, typer.Option("--as-of", help="The valid date the enrollments are compared on.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for one feedback file per province.")] = Path("."),
    scheduler: Annotated[str | None, typer.Option(help="A Dask scheduler's address (default: a LocalCluster).")]
    = None,
    workers: Annotated[int, typer.Option(help="LocalCluster workers when no scheduler is given.")] = 2,
) -> None:
    """Cross-province duplicate sets (跨省重复参保) over several provinces' exports, written as the national
    feedback each province reads back with `canbao import cross-province`."""
    from datetime import date

    require_scale_extra("the national check")
    from projections.national import national_duplicates, write_feedback

    try:
        day = date.fromisoformat(as_of)
        sets = national_duplicates(exports, day, scheduler, workers)
    except ValueError as bad:  # a bad date, or an export refused (ExportRefused: a partition altered or missing)
        fail(str(bad))
    files = write_feedback(sets, out_dir)
    out.print(f"{len(sets):,} persons enrolled in more than one province on {day}; feedback for "
              f"{len(files)} provinces in {out_dir}", highlight=False)
