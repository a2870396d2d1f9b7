"""Transfer-continuation (转移接续) as the person's stream records it: out of one region, into
another under the same transfer id, with the deadline counted in working days."""

from __future__ import annotations

from domain.codes import table
from domain.command import Context
from domain.errors import refuse
from domain.event import Event
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.rules import (
    cross_scheme_in_force,
    enrollment_id_for,
    enrollment_terms,
    not_before_last_change,
    open_enrollment,
    refuse_duplicate,
    with_riders,
)
from domain.person.state import Person
from domain.regions import pools, validate_region
from domain.schemes import EMPLOYEE, scheme_of
from domain.working_days import transfer_deadline

DIRECTIONS_FROM = {"11": EMPLOYEE, "12": EMPLOYEE, "41": "2", "42": "2"}
DIRECTIONS_TO = {"11": EMPLOYEE, "12": "2", "41": "2", "42": EMPLOYEE}


def decide_transfer_out(c: cmd.TransferOut, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    table("transfer_direction").require(c.direction, "direction")
    validate_region(c.target_region, "target_region")
    if enrollment.rider_of is not None or enrollment.scheme is None:
        raise refuse("enrollment_id", "transfer.base_only", "transfer the base enrollment; riders follow it")
    if DIRECTIONS_FROM[c.direction] != enrollment.scheme:
        raise refuse("direction", "transfer.direction", f"direction {c.direction} does not start from this scheme")
    if c.target_region == enrollment.region:
        raise refuse("target_region", "transfer.same_region", "a transfer goes to another region")
    if c.transfer_id in person.transfers:
        raise refuse("transfer_id", "transfer.exists", f"transfer {c.transfer_id} is already under way")
    not_before_last_change(enrollment, c.effective)
    within = pools(c.target_region, enrollment.pooling_region)
    deadline = transfer_deadline(ctx.today)
    return [ev.TransferredOut(
        due=deadline.due, due_provisional=deadline.provisional,
        effective=c.effective, reason="6302" if within else "6404", transfer_id=c.transfer_id,
        enrollment_ids=tuple(e.id for e in with_riders(person, enrollment)),
        target_region=c.target_region, direction=c.direction, within_pool=within,
    )]


def decide_transfer_in(c: cmd.TransferIn, person: Person, ctx: Context) -> list[Event]:
    pending = person.transfers.get(c.transfer_id)
    if pending is None:
        raise refuse("transfer_id", "transfer.unknown", f"no transfer {c.transfer_id} is waiting to arrive")
    if c.region != pending.target_region:
        raise refuse("region", "transfer.wrong_region", f"transfer {c.transfer_id} goes to {pending.target_region}")
    if scheme_of(c.insurance_type) != DIRECTIONS_TO[pending.direction]:
        raise refuse("insurance_type", "transfer.direction",
                     f"direction {pending.direction} arrives in the other scheme")
    pooling, _ = enrollment_terms(c, person, ctx.units)
    refuse_duplicate(person, c.insurance_type, c.region, c.effective)
    return [ev.Enrolled(
        effective=c.effective, enrollment_id=enrollment_id_for(ctx), insurance_type=c.insurance_type,
        region=c.region, pooling_region=pooling, unit_code=c.unit_code.strip().upper(),
        person_type=c.person_type, change="14" if pools(pending.from_region, pooling) else "13",
        transfer_id=c.transfer_id, cross_scheme_with=cross_scheme_in_force(person, c.insurance_type, c.effective),
    )]
