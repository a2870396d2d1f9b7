"""Progress bars that speak in events: done of total, events/s and time left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from projections.runner import Progress as ProgressCallback


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>9,.0f} events/s")


class EventsWritten(ProgressColumn):
    """For a bar that counts rows: the events those rows became, and how many a second."""

    def render(self, task: Task) -> Text:
        events = task.fields.get("events", 0)
        return Text(f"{events:>11,} events {events / task.elapsed if task.elapsed else 0:>8,.0f}/s")


@contextmanager
def event_progress(description: str, console: Console) -> Iterator[ProgressCallback]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), EventsPerSecond(),
                  TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@contextmanager
def row_progress(description: str, console: Console) -> Iterator[Callable[[int, int | None, int], None]]:
    """A bar over the rows of a file (total unknown: a pulsing bar), with the events written."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
                  EventsWritten(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task(description, total=None, events=0)

        def update(rows_done: int, rows_total: int | None, events: int) -> None:
            bar.update(task, completed=rows_done, total=rows_total, events=events)

        yield update
        bar.update(task, total=bar.tasks[0].completed)  # a finished file shows a full bar
