"""The person decider: `decide(command, person, context) -> events`. Rules live here.

A person's stream holds every enrollment in every region, so "no new duplicate within a
scheme" is decided inside one aggregate; two offices racing collide on its version.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.codes import table
from domain.command import OFFICE, Context
from domain.errors import refuse
from domain.event import Event
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.contributions import decide_contribution
from domain.person.corrections import decide_base_correction, decide_enrollment_correction
from domain.person.evolve import evolve, fold
from domain.person.identity import decide_merge_away
from domain.person.legacy import decide_import
from domain.person.rules import (
    check_identity,
    check_nationality,
    check_person_type,
    check_unit,
    cross_scheme_in_force,
    describe,
    enrollment_id_for,
    enrollment_terms,
    identity_warnings,
    not_before_last_change,
    open_enrollment,
    refuse_duplicate,
    require_active,
    with_riders,
)
from domain.person.state import INITIAL, NORMAL, SUSPENDED, Person
from domain.person.transfers import decide_transfer_in, decide_transfer_out
from domain.regions import validate_region
from domain.schemes import (
    EMPLOYEE,
    IN_SERVICE_TYPES,
    RETIRED_TYPES,
    RETIREMENT_OF,
)
from domain.validation import Checks, validate_name

# ---- commands -----------------------------------------------------------------------


def _register(c: cmd.RegisterPerson, person: Person, ctx: Context) -> list[Event]:
    if person.registered:
        raise refuse("id_number", "person.already_registered", f"{c.id_number} is already registered")
    checks = Checks()
    number = checks.run(check_identity, c.certificate_type, c.id_number, ctx, c.birth_date, c.gender)
    name = checks.run(validate_name, c.name)
    checks.run(table("gender").require, c.gender, "gender")
    checks.run(table("ethnicity").require, c.ethnicity, "ethnicity")
    checks.run(check_nationality, c.nationality)
    if c.household_region:
        checks.run(validate_region, c.household_region, "household_region")
    checks.done()
    assert number is not None and name is not None, "refused by checks.done() otherwise"
    legacy = c.id_number.strip() if len(c.id_number.strip()) == 15 else None
    return [ev.PersonRegistered(
        warnings=identity_warnings(c.certificate_type, number, ctx),
        effective=c.effective, certificate_type=c.certificate_type, id_number=number, name=name,
        gender=c.gender, birth_date=c.birth_date, ethnicity=c.ethnicity, nationality=c.nationality.upper(),
        civil_servant=c.civil_servant, phone=c.phone, household_region=c.household_region,
        address=c.address, legacy_id_number=legacy,
    )]


def _enroll(c: cmd.Enroll, person: Person, ctx: Context) -> list[Event]:
    pooling, rider_of = enrollment_terms(c, person, ctx.units)
    if person.birth_date and c.effective < person.birth_date:
        raise refuse("effective_date", "effective_date.before_birth", "an enrollment cannot start before birth")
    refuse_duplicate(person, c.insurance_type, c.region, c.effective)
    return [ev.Enrolled(
        effective=c.effective, enrollment_id=enrollment_id_for(ctx), insurance_type=c.insurance_type,
        region=c.region, pooling_region=pooling, unit_code=c.unit_code.strip().upper(),
        person_type=c.person_type, rider_of=rider_of,
        cross_scheme_with=cross_scheme_in_force(person, c.insurance_type, c.effective),
    )]


def _suspend(c: cmd.Suspend, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    table("change_reason").require(c.reason, "reason")
    if not c.reason.startswith("63"):
        raise refuse("reason", "reason.suspension", "a suspension needs a 63xx reason")
    if enrollment.status != NORMAL:
        raise refuse("enrollment_id", "enrollment.not_in_force", f"{describe(enrollment)} is already suspended")
    if enrollment.person_type in RETIRED_TYPES:
        raise refuse("enrollment_id", "enrollment.retired_cannot_be_suspended",
                     "a retiree's enrollment cannot be suspended (退休 + 暂停 is an anomaly)")
    not_before_last_change(enrollment, c.effective)
    return [ev.EnrollmentSuspended(effective=c.effective, reason=c.reason, enrollment_id=e.id)
            for e in with_riders(person, enrollment, NORMAL)]


def _resume(c: cmd.Resume, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    if enrollment.status != SUSPENDED:
        raise refuse("enrollment_id", "enrollment.not_suspended", f"{describe(enrollment)} is not suspended")
    not_before_last_change(enrollment, c.effective)
    unit_code = c.unit_code.strip().upper() if c.unit_code else None
    if unit_code:
        check_unit(ctx.units, unit_code, enrollment.insurance_type, enrollment.person_type)
    refuse_duplicate(person, enrollment.insurance_type, enrollment.region, c.effective, resuming=enrollment.id)
    return [ev.EnrollmentResumed(effective=c.effective, enrollment_id=e.id,
                                 unit_code=unit_code if e.id == enrollment.id else None)
            for e in with_riders(person, enrollment, SUSPENDED)]


def _terminate(c: cmd.Terminate, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    table("change_reason").require(c.reason, "reason")
    if not c.reason.startswith("64"):
        raise refuse("reason", "reason.termination", "a termination needs a 64xx reason")
    if c.reason == "6401":
        raise refuse("reason", "reason.death_by_die_command", "record a death with the death command")
    not_before_last_change(enrollment, c.effective)
    return [ev.EnrollmentTerminated(effective=c.effective, reason=c.reason, enrollment_id=e.id)
            for e in with_riders(person, enrollment)]


def _retire(c: cmd.Retire, person: Person, ctx: Context) -> list[Event]:
    employee = [e for e in person.open_enrollments() if e.scheme == EMPLOYEE]
    in_service = [e for e in employee if e.person_type in IN_SERVICE_TYPES]
    if not in_service:
        raise refuse("person_type", "retire.not_in_service", "only in-service employees (11xx) can retire")
    base = in_service[0]
    if base.status == SUSPENDED:
        raise refuse("enrollment_id", "retire.suspended",
                     "resume the suspended employee enrollment before retiring (退休 + 暂停 is an anomaly)")
    not_before_last_change(base, c.effective)
    ids = tuple(e.id for e in with_riders(person, base))
    return [ev.PersonRetired(effective=c.effective, reason="6501",
                             person_type=RETIREMENT_OF[base.person_type], enrollment_ids=ids)]


def _die(c: cmd.Die, person: Person, ctx: Context) -> list[Event]:
    ended = person.open_enrollments()
    for enrollment in ended:
        not_before_last_change(enrollment, c.effective)
    return [ev.PersonDied(effective=c.effective, reason="6401", ended_enrollment_ids=tuple(e.id for e in ended))]


def _change_person_type(c: cmd.ChangePersonType, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    if c.person_type in RETIRED_TYPES:
        raise refuse("person_type", "person_type.retire_by_command", "retirement is recorded with the retire command")
    check_person_type(person, enrollment.insurance_type, c.person_type, new=False)
    not_before_last_change(enrollment, c.effective)
    return [ev.PersonTypeChanged(effective=c.effective, enrollment_id=e.id, person_type=c.person_type)
            for e in with_riders(person, enrollment)]


def _move_to_successor(c: cmd.MoveToSuccessorUnit, person: Person, ctx: Context) -> list[Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    code = c.unit_code.strip().upper()
    current = ctx.units.get(enrollment.unit_code)
    if current is None or code not in current.successor_codes:
        raise refuse("unit_code", "unit.not_successor",
                     f"{code} is not a successor of {enrollment.unit_code} by merger or split")
    check_unit(ctx.units, code, enrollment.insurance_type, enrollment.person_type)
    return [ev.EnrollmentUnitChanged(effective=c.effective, enrollment_id=enrollment.id, unit_code=code)]


def _remove_fake(c: cmd.RemoveFakeEnrollment, person: Person, ctx: Context) -> list[Event]:
    if c.enrollment_id not in person.enrollments:
        raise refuse("enrollment_id", "enrollment.unknown", f"the person has no enrollment {c.enrollment_id}")
    if ctx.channel != OFFICE or not ctx.evidence:
        raise refuse("evidence", "fake_enrollment.office_evidence",
                     "only an insurance office removes a fake enrollment, citing its evidence (e.g. the "
                     "population-register comparison)")
    return [ev.FakeEnrollmentRemoved(effective=person.enrollments[c.enrollment_id].start,
                                     enrollment_id=c.enrollment_id)]


def _freeze(c: cmd.Freeze, person: Person, ctx: Context) -> list[Event]:
    if person.frozen:
        raise refuse("id_number", "person.already_frozen", "the record is already frozen")
    if ctx.channel != OFFICE:
        raise refuse("channel", "person.freeze_by_office", "only an insurance office freezes a record")
    return [ev.PersonFrozen(effective=c.effective, note=c.note.strip())]


def _unfreeze(c: cmd.Unfreeze, person: Person, ctx: Context) -> list[Event]:
    if not person.frozen:
        raise refuse("id_number", "person.not_frozen", "the record is not frozen")
    if ctx.channel != OFFICE:
        raise refuse("channel", "person.freeze_by_office", "only an insurance office unfreezes a record")
    return [ev.PersonUnfrozen(effective=c.effective)]


DECIDERS: dict[type[cmd.PersonCommand], Callable[..., list[Event]]] = {
    cmd.RegisterPerson: _register,
    cmd.Enroll: _enroll,
    cmd.Suspend: _suspend,
    cmd.Resume: _resume,
    cmd.Terminate: _terminate,
    cmd.Retire: _retire,
    cmd.Die: _die,
    cmd.TransferOut: decide_transfer_out,
    cmd.TransferIn: decide_transfer_in,
    cmd.ChangePersonType: _change_person_type,
    cmd.MoveToSuccessorUnit: _move_to_successor,
    cmd.Freeze: _freeze,
    cmd.Unfreeze: _unfreeze,
    cmd.CorrectBaseInfo: decide_base_correction,
    cmd.CorrectEnrollment: decide_enrollment_correction,
    cmd.MergeIdentity: decide_merge_away,
    cmd.ImportLegacyEnrollment: decide_import,
    cmd.RecordContribution: decide_contribution,
    cmd.RemoveFakeEnrollment: _remove_fake,
}


def decide(command: cmd.PersonCommand, person: Person, ctx: Context) -> list[Event]:
    """The events a command records, or a DomainError naming the field and rule it breaks."""
    if not isinstance(command, cmd.RegisterPerson | cmd.ImportLegacyEnrollment):
        require_active(person, command)
    born = command.birth_date if isinstance(command, cmd.RegisterPerson) else person.birth_date
    if born and command.effective < born and not isinstance(command, MONTHLY):
        raise refuse("effective_date", "effective_date.before_birth",
                     f"{command.effective} is before the person was born ({born})")
    return DECIDERS[type(command)](command, person, ctx)


# Commands about a whole month: their date is the month's first day, which may precede a birth in it.
MONTHLY = (cmd.ImportLegacyEnrollment, cmd.RecordContribution)


__all__ = ["INITIAL", "decide", "evolve", "fold"]
