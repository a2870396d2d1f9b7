"""注销 with 同步暂停人员: cancelling a unit suspends its in-service staff in the same transaction."""

from __future__ import annotations

from dataclasses import replace

from domain.command import Command, Context
from domain.person.commands import Suspend
from domain.person.decider import decide as decide_for_person
from domain.person.state import NORMAL
from domain.processes import Decided, Effects, Streams
from domain.schemes import RETIRED_TYPES
from domain.unit.commands import CancelUnit
from domain.unit.state import Unit

SUSPENDED_WITH_UNIT = "6399"  # 其他: the unit was cancelled


def suspend_staff_of_cancelled_unit(command: Command, decided: Decided, ctx: Context,
                                    streams: Streams) -> Effects:
    if not (isinstance(command, CancelUnit) and command.suspend_staff):
        return {}
    unit: Unit = decided.before
    effects: Effects = {}
    for person_id, enrollment_id in sorted(unit.staff, key=str):
        person = streams.person(person_id)
        enrollment = person.enrollments.get(enrollment_id)
        if enrollment is None or enrollment.status != NORMAL or enrollment.person_type in RETIRED_TYPES:
            continue  # retirees keep their enrollment; 退休 + 暂停 would be an anomaly
        suspend = Suspend(effective=command.effective, certificate_type=person.certificate_type,
                          id_number=person.id_number, enrollment_id=enrollment_id, reason=SUSPENDED_WITH_UNIT)
        effects[person_id] = decide_for_person(suspend, person, replace(ctx, units={unit.unit_code: unit}))
    return effects
