"""Given events / when command / then events — for the pure deciders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pytest

from domain import commands as cmd
from domain import events as ev
from domain.errors import DomainError
from domain.person.decider import decide as decide_for_person
from domain.person.evolve import fold as fold_person
from domain.person.state import Person
from domain.unit.decider import decide as decide_for_unit
from domain.unit.state import Unit
from domain.unit.state import fold as fold_unit
from tests.support.builders import COMMUNITY, EMPLOYER_2, FLEX_UNIT, ctx, register_unit


def units(*extra: Iterable[ev.Event]) -> dict[str, Unit]:
    """The standard units: an employer, a second employer, a community and a flexible-worker unit."""
    made = {}
    for command in (register_unit(), register_unit(EMPLOYER_2, name="第二单位"),
                    register_unit(COMMUNITY, "08", name="某社区"), register_unit(FLEX_UNIT, "02", name="灵活就业")):
        made[command.unit_code] = fold_unit(decide_for_unit(command, Unit(), ctx()))
    return made


class Story:
    """A person's history so far; `when` decides the next command against it."""

    def __init__(self, unit_states: dict[str, Unit] | None = None) -> None:
        self.events: list[ev.Event] = []
        self.units = unit_states or units()

    @property
    def person(self) -> Person:
        return fold_person(self.events)

    def when(self, command: cmd.PersonCommand, context: cmd.Context | None = None) -> list[ev.Event]:
        return decide_for_person(command, self.person, replace(context or ctx(), units=self.units))

    def then(self, command: cmd.PersonCommand, context: cmd.Context | None = None) -> list[ev.Event]:
        """Decide and record."""
        new = self.when(command, context)
        self.events.extend(new)
        return new

    def refused(self, command: cmd.PersonCommand, rule: str, context: cmd.Context | None = None) -> DomainError:
        with pytest.raises(DomainError) as refusal:
            self.when(command, context)
        assert rule in [e.rule for e in refusal.value.errors], refusal.value
        return refusal.value
