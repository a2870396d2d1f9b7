"""Rules that span aggregates, as named processes.

A process runs after the addressed aggregate has decided, in the same transaction: it reads
the other aggregates it needs through `Streams` and returns the events each of their
streams must record (`Effects`). The application appends everything together, with every
stream's version checked, so these rules hold under concurrency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from domain.command import Command, Context
from domain.event import Event
from domain.person.state import Person
from domain.unit.state import Unit

Effects = dict[UUID, list[Event]]  # stream id → events to append there, in order


class Streams(Protocol):
    """Read access to other aggregates, in the command's own transaction."""

    def person(self, person_id: UUID) -> Person: ...

    def unit(self, code: str) -> Unit: ...


@dataclass(frozen=True)
class Decided:
    """What the addressed aggregate decided: its stream, its state before and after, the events."""

    stream_id: UUID
    before: Any
    after: Any
    events: list[Event]


Process = Callable[[Command, Decided, Context, Streams], Effects]


def combine(*effects: Effects) -> Effects:
    """Several processes' effects as one, each stream's events kept in order."""
    combined: Effects = {}
    for effect in effects:
        for stream_id, events in effect.items():
            combined.setdefault(stream_id, []).extend(events)
    return combined
