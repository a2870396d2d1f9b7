"""A correction filed through the unit channel is also recorded on the filing unit's stream.

A confirmation (核对确认) locks unit-channel corrections; writing the correction's mark on
the same unit stream makes a racing confirmation and correction collide on its version,
so one of them is decided again and sees the other.
"""

from __future__ import annotations

from domain.command import UNIT_PORTAL, Command, Context
from domain.person.commands import CorrectBaseInfo, CorrectEnrollment
from domain.processes import Decided, Effects, Streams
from domain.unit import events as ev
from domain.unit_codes import unit_id


def mark_unit_channel_corrections(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    if not (isinstance(command, CorrectBaseInfo | CorrectEnrollment) and ctx.channel == UNIT_PORTAL
            and ctx.actor.unit_code and decided.events):
        return {}
    mark = ev.StaffCorrectedThroughUnit(effective=command.effective, person_id=decided.stream_id)
    return {unit_id(ctx.actor.unit_code): [mark]}
