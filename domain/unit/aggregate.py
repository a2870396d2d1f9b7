"""The unit as a decider the application can route commands to."""

from __future__ import annotations

from domain.command import Context
from domain.decider import Aggregate, Consults
from domain.unit import commands as cmd
from domain.unit.decider import decide
from domain.unit.state import INITIAL, Unit, evolve
from domain.unit_codes import unit_id


def _consults(command: cmd.UnitCommand, unit: Unit, ctx: Context) -> Consults:
    successor = getattr(command, "successor_code", None)
    campaign = getattr(command, "campaign_id", None)
    return Consults(units=frozenset({successor.strip().upper()} if successor else ()),
                    campaigns=frozenset({campaign} if campaign else ()))


UNIT = Aggregate[Unit]("unit", lambda c: unit_id(c.unit_code), INITIAL, evolve, decide, _consults)
