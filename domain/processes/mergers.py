"""Mergers that move records between two streams of one kind, in one transaction.

- 人员多号合并: the target identity adopts the history the source records as merged away,
  and both identities' units see the staff move.
- 单位合并: the successor records that it absorbed the merged unit.
"""

from __future__ import annotations

from domain.command import Command, Context
from domain.id_numbers import person_id
from domain.person.commands import MergeIdentity
from domain.person.events import IdentityMergedAway
from domain.person.evolve import fold
from domain.person.identity import decide_adoption
from domain.person.state import Person
from domain.processes import Decided, Effects, Streams, combine
from domain.processes.roster import roster_effects
from domain.unit import events as ev
from domain.unit.commands import MergeUnit
from domain.unit_codes import unit_id


def adopt_merged_identity(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    if not isinstance(command, MergeIdentity):
        return {}
    [merged_away] = decided.events
    assert isinstance(merged_away, IdentityMergedAway)
    target_id = person_id(command.target_certificate_type, merged_away.into_id_number)
    target = streams.person(target_id)
    adopted = decide_adoption(command, decided.before, target, ctx)
    return combine(
        {target_id: adopted},
        roster_effects(decided.stream_id, decided.before, Person(), command.effective),
        roster_effects(target_id, target, fold(adopted, target), command.effective),
    )


def absorb_merged_unit(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    if not isinstance(command, MergeUnit):
        return {}
    absorbed = ev.UnitAbsorbed(effective=command.effective, absorbed_code=decided.before.unit_code)
    return {unit_id(command.successor_code): [absorbed]}
