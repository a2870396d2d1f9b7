"""The person as a decider the application can route commands to."""

from __future__ import annotations

from domain.command import Context
from domain.decider import Aggregate, Consults
from domain.id_numbers import person_id
from domain.person import commands as cmd
from domain.person.decider import decide
from domain.person.evolve import evolve
from domain.person.state import INITIAL, Person


def _consults(command: cmd.PersonCommand, person: Person, ctx: Context) -> Consults:
    """Units the rules read: the open enrollments' (locks, successors), the ones the command
    names (a new employer, a corrected unit). Past employers are not needed."""
    codes = {e.unit_code for e in person.open_enrollments()}
    codes.add(getattr(command, "unit_code", None) or "")
    codes.add(getattr(command, "changes", {}).get("unit_code") or "")
    return Consults(units=frozenset(c.strip().upper() for c in codes if c))


PERSON = Aggregate[Person](
    "person", lambda c: person_id(c.certificate_type, c.id_number), INITIAL, evolve, decide, _consults)
