"""The one shape every aggregate has, and what a command consults beyond its own stream.

An aggregate is a decider: `initial` state, `evolve(state, event) -> state` (no rules,
never fails on a stored event) and `decide(command, state, context) -> events` (the rules;
raises a DomainError naming the field). `stream_of` says which stream a command addresses;
`consults` which other aggregates its rules read, loaded in the same transaction and
handed to `decide` in the context. Rules that span aggregates are named processes
(domain/processes/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Generic, TypeVar
from uuid import UUID

from domain.command import Context
from domain.event import Event

S = TypeVar("S")


@dataclass(frozen=True)
class Consults:
    """Other aggregates a command's rules read: units by code, campaigns by id."""

    units: frozenset[str] = frozenset()
    campaigns: frozenset[str] = frozenset()


def nothing_else(command: Any, state: Any, ctx: Context) -> Consults:
    return Consults()


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    name: str
    stream_of: Callable[[Any], UUID]
    initial: S
    evolve: Callable[[S, Event], S]
    decide: Callable[[Any, S, Context], list[Event]]
    consults: Callable[[Any, S, Context], Consults] = field(default=nothing_else)

    def fold(self, events: Iterable[Event], state: S | None = None) -> S:
        return reduce(self.evolve, events, self.initial if state is None else state)
