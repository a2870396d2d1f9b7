"""A progress bar that speaks in events: done of total, events/s and time left."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from projections.runner import Progress as ProgressCallback


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>9,.0f} events/s")


@contextmanager
def event_progress(description: str, console: Console) -> Iterator[ProgressCallback]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), EventsPerSecond(),
                  TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
