"""The person decider: `decide(command, person, units, ctx) -> events`. Rules live here.

A person's stream holds every enrollment in every region, so "no new duplicate within a
scheme" is decided inside one aggregate; two offices racing collide on its version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from uuid import UUID, uuid5

from domain import commands as cmd
from domain import events as ev
from domain.codes import table
from domain.errors import DomainError, refuse
from domain.id_numbers import RESIDENT_ID, normalise_certificate, parse_resident_id, person_id
from domain.person_state import BASE_FIELDS, NORMAL, SUSPENDED, Enrollment, Person, apply_enrollment_changes
from domain.regions import pools, validate_region
from domain.schemes import (
    CIVIL_SERVANT, CIVIL_SERVANT_SUBSIDY, EMPLOYEE, EMPLOYER_UNITS, FLEXIBLE_UNITS, FLEXIBLE_WORKER,
    IN_SERVICE_TYPES, RESIDENT_TYPES, RESIDENT_UNITS, RETIRED_TYPES, RETIREMENT_OF, RIDERS, scheme_of,
)
from domain.unit import CANCELLED, Unit, unit_channel_lock
from domain.validation import Checks, required_text, validate_name
from domain.working_days import transfer_deadline

Units = Mapping[str, Unit]
CORRECTIONS = (cmd.CorrectBaseInfo, cmd.CorrectEnrollment, cmd.MergeIdentity)


# ---- shared checks ------------------------------------------------------------------


def check_identity(certificate_type: str, id_number: str, ctx: cmd.Context,
                   birth_date: date | None = None, gender: str | None = None,
                   field: str = "id_number") -> str:
    """Validate a certificate; for resident IDs, birth date and gender must agree with it."""
    table("certificate_type").require(certificate_type, "certificate_type")
    if certificate_type != RESIDENT_ID:
        return required_text(id_number, field).upper()
    parsed = parse_resident_id(id_number, today=ctx.today, field=field)
    if birth_date is not None and birth_date != parsed.birth_date:
        raise refuse("birth_date", "id_number.birth_date_mismatch",
                     f"birth date {birth_date} does not match {parsed.birth_date} in the ID number")
    if gender in ("1", "2") and gender != parsed.gender:
        raise refuse("gender", "id_number.gender_mismatch",
                     f"gender {table('gender').label_of(gender)} does not match the ID number's "
                     f"{table('gender').label_of(parsed.gender)}")
    return parsed.number


def identity_warnings(certificate_type: str, number: str | None, ctx: cmd.Context) -> tuple[str, ...]:
    if certificate_type != RESIDENT_ID or not number:
        return ()
    return parse_resident_id(number, today=ctx.today).warnings


def require_active(person: Person, command: cmd.PersonCommand) -> None:
    if not person.registered:
        raise refuse("id_number", "person.not_registered", f"no person is registered under {command.id_number}")
    if person.merged_into is not None:
        raise refuse("id_number", "person.merged",
                     f"{command.id_number} was merged into another identity ({person.merged_into}); use that one")
    if person.dead and not isinstance(command, CORRECTIONS):
        raise refuse("id_number", "person.dead", "nothing but corrections is recorded after a person's death")
    if person.frozen and not isinstance(command, (cmd.Unfreeze, *CORRECTIONS)):
        raise refuse("id_number", "person.frozen", "the record is frozen; an office must unfreeze it first")


def open_enrollment(person: Person, enrollment_id: UUID) -> Enrollment:
    enrollment = person.enrollments.get(enrollment_id)
    if enrollment is None:
        raise refuse("enrollment_id", "enrollment.unknown", f"the person has no enrollment {enrollment_id}")
    if not enrollment.is_open:
        raise refuse("enrollment_id", "enrollment.closed", f"enrollment {enrollment_id} has ended")
    return enrollment


def not_before_last_change(enrollment: Enrollment, effective: date) -> None:
    if effective < enrollment.last_change:
        raise refuse("effective_date", "effective_date.before_last_change",
                     f"{effective} is before the enrollment's last change on {enrollment.last_change}; "
                     "change the past with a correction")


def describe(e: Enrollment) -> str:
    return f"{e.insurance_type} {table('insurance_type').label_of(e.insurance_type)} in {e.region} ({e.id})"


def overlaps(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return start < (other_end or date.max) and other_start < (end or date.max)


def in_force_from(enrollment: Enrollment, day: date) -> bool:
    """Whether the enrollment is in force (正常参保) at any time on or after `day`."""
    ends = [p.effective for p in enrollment.periods[1:]] + [date.max]
    return any(p.status == NORMAL and end > day for p, end in zip(enrollment.periods, ends, strict=True))


def refuse_duplicate(person: Person, insurance_type: str, region: str, day: date, resuming: UUID | None = None) -> None:
    """No two enrollments of one scheme in force at once; no overlap within one type and region."""
    scheme = scheme_of(insurance_type)
    for e in person.enrollments.values():
        if e.id == resuming:
            continue
        if scheme and e.scheme == scheme and in_force_from(e, day):
            raise refuse("insurance_type", "enrollment.duplicate_within_scheme",
                         "the person is already enrolled in the same scheme: " + describe(e))
        if e.insurance_type == insurance_type and e.region == region and (e.end is None or e.end > day):
            raise refuse("effective_date", "enrollment.overlaps_previous",
                         f"{describe(e)} lasts until {e.end or 'now'}; a new one cannot start on {day}")


def cross_scheme_in_force(person: Person, insurance_type: str, day: date) -> tuple[UUID, ...]:
    scheme = scheme_of(insurance_type)
    return tuple(e.id for e in person.enrollments.values()
                 if scheme and e.scheme and e.scheme != scheme and in_force_from(e, day))


def check_unit(units: Units, unit_code: str, insurance_type: str, person_type: str) -> Unit:
    unit = units.get(unit_code.strip().upper())
    if unit is None or not unit.registered:
        raise refuse("unit_code", "unit.not_registered", f"unit {unit_code} is not registered")
    if unit.status == CANCELLED:
        raise refuse("unit_code", "unit.cancelled", f"unit {unit_code} is cancelled and takes no staff")
    scheme = scheme_of(insurance_type)
    if scheme == EMPLOYEE:
        allowed = FLEXIBLE_UNITS if person_type == FLEXIBLE_WORKER else EMPLOYER_UNITS
    else:
        allowed = RESIDENT_UNITS
    if scheme is not None and unit.management_type not in allowed:
        raise refuse("unit_code", "unit.wrong_kind",
                     f"unit {unit_code} is a {table('unit_management_type').label_of(unit.management_type)}, "
                     f"which cannot carry a {table('person_type').label_of(person_type)} enrollment")
    return unit


def check_person_type(person: Person, insurance_type: str, person_type: str, *, new: bool) -> None:
    table("person_type").require(person_type, "person_type")
    scheme = scheme_of(insurance_type)
    if scheme == EMPLOYEE and new and person_type not in IN_SERVICE_TYPES:
        raise refuse("person_type", "enrollment.new_employee_in_service",
                     "a new employee enrollment is for in-service staff (11xx); retirees keep theirs")
    if scheme == EMPLOYEE and person_type not in IN_SERVICE_TYPES | RETIRED_TYPES:
        raise refuse("person_type", "enrollment.person_type_scheme", f"{person_type} is not an employee type")
    if scheme is not None and scheme != EMPLOYEE and person_type not in RESIDENT_TYPES:
        raise refuse("person_type", "enrollment.person_type_scheme", f"{person_type} is not a resident type")
    if person_type == CIVIL_SERVANT and not person.civil_servant:
        raise refuse("person_type", "enrollment.civil_servant_flag",
                     "公务员 person type needs the civil-servant flag on the person")


def enrollment_id_for(ctx: cmd.Context, n: int = 0) -> UUID:
    """Deterministic from the command: deciding twice gives the same ids."""
    return uuid5(ctx.command_id, f"enrollment:{n}")


# ---- commands -----------------------------------------------------------------------


def _register(c: cmd.RegisterPerson, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
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
    legacy = c.id_number.strip() if number and len(c.id_number.strip()) == 15 else None
    return [ev.PersonRegistered(
        warnings=identity_warnings(c.certificate_type, number, ctx),
        effective=c.effective, certificate_type=c.certificate_type, id_number=number, name=name,
        gender=c.gender, birth_date=c.birth_date, ethnicity=c.ethnicity, nationality=c.nationality.upper(),
        civil_servant=c.civil_servant, phone=c.phone, household_region=c.household_region,
        address=c.address, legacy_id_number=legacy,
    )]


def check_nationality(value: str, field: str = "nationality") -> str:
    code = value.strip().upper()
    if not (len(code) == 3 and code.isalpha()):
        raise refuse(field, "nationality.format", f"“{value}” is not a 3-letter country code (GB/T 2659), e.g. CHN")
    return code


def _enrollment_terms(c: cmd.Enroll | cmd.TransferIn, person: Person, units: Units) -> tuple[str, UUID | None]:
    """Validate where and how a person enrolls; return the pooling region and rider base."""
    checks = Checks()
    checks.run(table("insurance_type").require, c.insurance_type, "insurance_type")
    checks.run(validate_region, c.region)
    pooling = c.pooling_region or c.region
    if checks.run(validate_region, pooling, "pooling_region") and not pools(c.region, pooling):
        checks.errors.append(refuse("pooling_region", "region.pooling",
                                    f"{pooling} cannot pool enrollments of {c.region}").errors[0])
    checks.done()
    check_person_type(person, c.insurance_type, c.person_type, new=isinstance(c, cmd.Enroll))
    check_unit(units, c.unit_code, c.insurance_type, c.person_type)
    rider_of = None
    if c.insurance_type in RIDERS:
        bases = [e for e in person.open_enrollments()
                 if e.insurance_type in RIDERS[c.insurance_type] and e.region == c.region and e.status == NORMAL]
        if not bases:
            raise refuse("insurance_type", "enrollment.rider_without_base",
                         f"{c.insurance_type} attaches to an open base enrollment in {c.region}; there is none")
        rider_of = bases[0].id
        if any(r.insurance_type == c.insurance_type for r in person.riders_of(rider_of)):
            raise refuse("insurance_type", "enrollment.duplicate_rider",
                         f"{c.insurance_type} is already attached to {describe(bases[0])}")
        if c.insurance_type == CIVIL_SERVANT_SUBSIDY and not person.civil_servant:
            raise refuse("insurance_type", "enrollment.subsidy_needs_civil_servant",
                         "320 公务员医疗补助 is only for civil servants (公务员标志 = 1)")
    return pooling, rider_of


def _enroll(c: cmd.Enroll, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    pooling, rider_of = _enrollment_terms(c, person, units)
    if person.birth_date and c.effective < person.birth_date:
        raise refuse("effective_date", "effective_date.before_birth", "an enrollment cannot start before birth")
    refuse_duplicate(person, c.insurance_type, c.region, c.effective)
    return [ev.Enrolled(
        effective=c.effective, enrollment_id=enrollment_id_for(ctx), insurance_type=c.insurance_type,
        region=c.region, pooling_region=pooling, unit_code=c.unit_code.strip().upper(),
        person_type=c.person_type, rider_of=rider_of,
        cross_scheme_with=cross_scheme_in_force(person, c.insurance_type, c.effective),
    )]


def _with_riders(person: Person, base: Enrollment, status: str | None = None) -> list[Enrollment]:
    riders = person.riders_of(base.id)
    return [base, *[r for r in riders if status is None or r.status == status]]


def _suspend(c: cmd.Suspend, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
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
            for e in _with_riders(person, enrollment, NORMAL)]


def _resume(c: cmd.Resume, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    if enrollment.status != SUSPENDED:
        raise refuse("enrollment_id", "enrollment.not_suspended", f"{describe(enrollment)} is not suspended")
    not_before_last_change(enrollment, c.effective)
    unit_code = c.unit_code.strip().upper() if c.unit_code else None
    if unit_code:
        check_unit(units, unit_code, enrollment.insurance_type, enrollment.person_type)
    refuse_duplicate(person, enrollment.insurance_type, enrollment.region, c.effective, resuming=enrollment.id)
    return [ev.EnrollmentResumed(effective=c.effective, enrollment_id=e.id,
                                 unit_code=unit_code if e.id == enrollment.id else None)
            for e in _with_riders(person, enrollment, SUSPENDED)]


def _terminate(c: cmd.Terminate, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    table("change_reason").require(c.reason, "reason")
    if not c.reason.startswith("64"):
        raise refuse("reason", "reason.termination", "a termination needs a 64xx reason")
    if c.reason == "6401":
        raise refuse("reason", "reason.death_by_die_command", "record a death with the death command")
    not_before_last_change(enrollment, c.effective)
    return [ev.EnrollmentTerminated(effective=c.effective, reason=c.reason, enrollment_id=e.id)
            for e in _with_riders(person, enrollment)]


def _retire(c: cmd.Retire, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    employee = [e for e in person.open_enrollments() if e.scheme == EMPLOYEE]
    in_service = [e for e in employee if e.person_type in IN_SERVICE_TYPES]
    if not in_service:
        raise refuse("person_type", "retire.not_in_service", "only in-service employees (11xx) can retire")
    base = in_service[0]
    if base.status == SUSPENDED:
        raise refuse("enrollment_id", "retire.suspended",
                     "resume the suspended employee enrollment before retiring (退休 + 暂停 is an anomaly)")
    not_before_last_change(base, c.effective)
    ids = tuple(e.id for e in _with_riders(person, base))
    return [ev.PersonRetired(effective=c.effective, reason="6501",
                             person_type=RETIREMENT_OF[base.person_type], enrollment_ids=ids)]


def _die(c: cmd.Die, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    ended = person.open_enrollments()
    for enrollment in ended:
        not_before_last_change(enrollment, c.effective)
    return [ev.PersonDied(effective=c.effective, reason="6401", ended_enrollment_ids=tuple(e.id for e in ended))]


DIRECTIONS_FROM = {"11": EMPLOYEE, "12": EMPLOYEE, "41": "2", "42": "2"}
DIRECTIONS_TO = {"11": EMPLOYEE, "12": "2", "41": "2", "42": EMPLOYEE}


def _transfer_out(c: cmd.TransferOut, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
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
        enrollment_ids=tuple(e.id for e in _with_riders(person, enrollment)),
        target_region=c.target_region, direction=c.direction, within_pool=within,
    )]


def _transfer_in(c: cmd.TransferIn, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    pending = person.transfers.get(c.transfer_id)
    if pending is None:
        raise refuse("transfer_id", "transfer.unknown", f"no transfer {c.transfer_id} is waiting to arrive")
    if c.region != pending.target_region:
        raise refuse("region", "transfer.wrong_region", f"transfer {c.transfer_id} goes to {pending.target_region}")
    if scheme_of(c.insurance_type) != DIRECTIONS_TO[pending.direction]:
        raise refuse("insurance_type", "transfer.direction",
                     f"direction {pending.direction} arrives in the other scheme")
    pooling, _ = _enrollment_terms(c, person, units)
    refuse_duplicate(person, c.insurance_type, c.region, c.effective)
    return [ev.Enrolled(
        effective=c.effective, enrollment_id=enrollment_id_for(ctx), insurance_type=c.insurance_type,
        region=c.region, pooling_region=pooling, unit_code=c.unit_code.strip().upper(),
        person_type=c.person_type, change="14" if pools(pending.from_region, pooling) else "13",
        transfer_id=c.transfer_id, cross_scheme_with=cross_scheme_in_force(person, c.insurance_type, c.effective),
    )]


def _change_person_type(c: cmd.ChangePersonType, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    if c.person_type in RETIRED_TYPES:
        raise refuse("person_type", "person_type.retire_by_command", "retirement is recorded with the retire command")
    check_person_type(person, enrollment.insurance_type, c.person_type, new=False)
    not_before_last_change(enrollment, c.effective)
    return [ev.PersonTypeChanged(effective=c.effective, enrollment_id=e.id, person_type=c.person_type)
            for e in _with_riders(person, enrollment)]


def _move_to_successor(c: cmd.MoveToSuccessorUnit, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    enrollment = open_enrollment(person, c.enrollment_id)
    code = c.unit_code.strip().upper()
    current = units.get(enrollment.unit_code)
    if current is None or code not in current.successor_codes:
        raise refuse("unit_code", "unit.not_successor",
                     f"{code} is not a successor of {enrollment.unit_code} by merger or split")
    check_unit(units, code, enrollment.insurance_type, enrollment.person_type)
    return [ev.EnrollmentUnitChanged(effective=c.effective, enrollment_id=enrollment.id, unit_code=code)]


def _freeze(c: cmd.Freeze, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    if person.frozen:
        raise refuse("id_number", "person.already_frozen", "the record is already frozen")
    if ctx.channel != "office":
        raise refuse("channel", "person.freeze_by_office", "only an insurance office freezes a record")
    return [ev.PersonFrozen(effective=c.effective, note=c.note.strip())]


def _unfreeze(c: cmd.Unfreeze, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    if not person.frozen:
        raise refuse("id_number", "person.not_frozen", "the record is not frozen")
    if ctx.channel != "office":
        raise refuse("channel", "person.freeze_by_office", "only an insurance office unfreezes a record")
    return [ev.PersonUnfrozen(effective=c.effective)]


# ---- corrections --------------------------------------------------------------------


def employer_locks(person: Person, units: Units, ctx: cmd.Context) -> str | None:
    """Refuse unit-channel corrections during a confirmed lock; name a lock an office overrides."""
    codes = {ctx.actor.unit_code} if ctx.channel == "unit_portal" else {e.unit_code for e in person.open_enrollments()}
    overridden = None
    for code in sorted(c for c in codes if c):
        unit = units.get(code)
        if unit is not None and (lock := unit_channel_lock(unit, ctx)):
            overridden = lock[0]
    return overridden


def _base_value(name: str, value: str | None, person: Person, ctx: cmd.Context) -> str | None:
    validators: dict[str, Callable[[str], object]] = {
        "name": validate_name,
        "gender": lambda v: table("gender").require(v, "gender"),
        "ethnicity": lambda v: table("ethnicity").require(v, "ethnicity"),
        "nationality": check_nationality,
        "survival_status": lambda v: table("survival_status").require(v, "survival_status"),
        "household_region": lambda v: validate_region(v, "household_region"),
        "birth_date": lambda v: date.fromisoformat(v),
        "civil_servant": check_flag,
    }
    if value is None:
        if name in ("phone", "address", "household_region"):
            return None
        raise refuse(name, "required", "must not be empty")
    try:
        checked = validators.get(name, lambda v: v)(value)
    except ValueError:
        raise refuse(name, "date.format", f"“{value}” is not a date YYYY-MM-DD") from None
    return checked if isinstance(checked, str) else value


def check_flag(value: str, field: str = "civil_servant") -> str:
    if value not in ("0", "1"):
        raise refuse(field, "flag", f"“{value}” must be 0 or 1")
    return value


def _current(person: Person, name: str) -> str | None:
    value = getattr(person, name)
    if isinstance(value, bool):
        return "1" if value else "0"
    return None if value is None else str(value)


def _correct_base(c: cmd.CorrectBaseInfo, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    checks = Checks()
    changes: dict[str, tuple[str | None, str | None]] = {}
    for name, value in c.changes.items():
        if name not in BASE_FIELDS:
            checks.errors.append(refuse("changes", "correction.field",
                                        f"{name} is not a correctable base field").errors[0])
            continue
        checked = checks.run(_base_value, name, value, person, ctx)
        if checked is not None or value is None:
            changes[name] = (_current(person, name), checked)
    checks.done()
    if person.certificate_type == RESIDENT_ID:
        birth = changes.get("birth_date", (None, None))[1]
        check_identity(RESIDENT_ID, person.id_number, ctx,
                       date.fromisoformat(birth) if birth else None, changes.get("gender", (None, None))[1])
    overrode = employer_locks(person, units, ctx)
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if not changes:
        return []
    return [ev.BaseInfoCorrected(effective=c.effective, changes=changes, overrode_lock=overrode)]


ENROLLMENT_CORRECTABLE = ("start", "end", "unit_code", "person_type", "pooling_region")


def _correct_enrollment(c: cmd.CorrectEnrollment, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    enrollment = person.enrollments.get(c.enrollment_id)
    if enrollment is None:
        raise refuse("enrollment_id", "enrollment.unknown", f"the person has no enrollment {c.enrollment_id}")
    if not ctx.evidence:
        raise refuse("evidence", "correction.needs_evidence", "a retroactive correction must cite its evidence (佐证资料)")
    changes: dict[str, tuple[str | None, str | None]] = {}
    for name, value in c.changes.items():
        if name not in ENROLLMENT_CORRECTABLE:
            raise refuse("changes", "correction.field", f"{name} is not a correctable enrollment field; "
                         f"correctable: {', '.join(ENROLLMENT_CORRECTABLE)}")
        was = {"start": enrollment.start.isoformat(),
               "end": enrollment.end.isoformat() if enrollment.end else None}.get(name, getattr(enrollment, name, None))
        changes[name] = (was, _enrollment_value(name, value, enrollment, person, units))
    corrected = apply_enrollment_changes(enrollment, changes)
    dates = [p.effective for p in corrected.periods]
    if dates != sorted(dates):
        raise refuse("changes", "correction.dates_out_of_order",
                     "after the correction the enrollment's changes would not be in date order")
    for other in person.enrollments.values():
        if other.id != corrected.id and (other.insurance_type, other.region) == (corrected.insurance_type, corrected.region) \
                and overlaps(corrected.start, corrected.end, other.start, other.end):
            raise refuse("changes", "correction.overlaps",
                         f"after the correction it would overlap {describe(other)} in the same type and region")
    overrode = employer_locks(person, units, ctx)
    return [ev.EnrollmentCorrected(effective=c.effective, reason=c.reason, enrollment_id=enrollment.id,
                                   changes=changes, overrode_lock=overrode)]


def _enrollment_value(name: str, value: str | None, enrollment: Enrollment, person: Person, units: Units) -> str | None:
    if name in ("start", "end"):
        if value is None and name == "end":
            return None
        try:
            return date.fromisoformat(value or "").isoformat()
        except ValueError:
            raise refuse(name, "date.format", f"“{value}” is not a date YYYY-MM-DD") from None
    if value is None:
        raise refuse(name, "required", "must not be empty")
    if name == "unit_code":
        check_unit(units, value, enrollment.insurance_type, enrollment.person_type)
        return value.strip().upper()
    if name == "person_type":
        check_person_type(person, enrollment.insurance_type, value, new=False)
    if name == "pooling_region":
        validate_region(value, "pooling_region")
        if not pools(enrollment.region, value):
            raise refuse("pooling_region", "region.pooling", f"{value} cannot pool {enrollment.region}")
    return value


DECIDERS: dict[type[cmd.PersonCommand], Callable[..., list[ev.Event]]] = {
    cmd.RegisterPerson: _register,
    cmd.Enroll: _enroll,
    cmd.Suspend: _suspend,
    cmd.Resume: _resume,
    cmd.Terminate: _terminate,
    cmd.Retire: _retire,
    cmd.Die: _die,
    cmd.TransferOut: _transfer_out,
    cmd.TransferIn: _transfer_in,
    cmd.ChangePersonType: _change_person_type,
    cmd.MoveToSuccessorUnit: _move_to_successor,
    cmd.Freeze: _freeze,
    cmd.Unfreeze: _unfreeze,
    cmd.CorrectBaseInfo: _correct_base,
    cmd.CorrectEnrollment: _correct_enrollment,
}


def decide(command: cmd.PersonCommand, person: Person, units: Units, ctx: cmd.Context) -> list[ev.Event]:
    """The events a command records, or a DomainError naming the field and rule it breaks."""
    if not isinstance(command, cmd.RegisterPerson):
        require_active(person, command)
    return DECIDERS[type(command)](command, person, units, ctx)


def decide_merge(c: cmd.MergeIdentity, source: Person, target: Person, target_id: UUID, ctx: cmd.Context) -> tuple[list[ev.Event], list[ev.Event]]:
    """Move a wrong or duplicate identity's history to the right one, in one transaction."""
    require_active(source, c)
    number = check_identity(c.target_certificate_type, c.target_id_number, ctx, field="target_id_number")
    if normalise_certificate(c.target_certificate_type, number) == source.id_number and \
            c.target_certificate_type == source.certificate_type:
        raise refuse("target_id_number", "merge.same_identity", "source and target are the same identity")
    if target.merged_into is not None:
        raise refuse("target_id_number", "person.merged", "the target identity was itself merged away")
    into: list[ev.Event] = []
    if not target.registered:
        birth, gender = source.birth_date, source.gender
        if c.target_certificate_type == RESIDENT_ID:
            parsed = parse_resident_id(number, today=ctx.today, field="target_id_number")
            birth, gender = parsed.birth_date, parsed.gender
        assert birth is not None
        into.append(ev.PersonRegistered(
            effective=c.effective, certificate_type=c.target_certificate_type, id_number=number,
            name=source.name, gender=gender, birth_date=birth, ethnicity=source.ethnicity,
            nationality=source.nationality, survival_status=source.survival_status,
            civil_servant=source.civil_servant, phone=source.phone,
            household_region=source.household_region, address=source.address,
        ))
    into.append(ev.IdentityAdopted(
        effective=c.effective, from_person_id=person_id(source.certificate_type, source.id_number),
        from_id_number=source.id_number,
        enrollments=tuple(e.as_record() for e in source.enrollments.values()),
    ))
    away = [ev.IdentityMergedAway(effective=c.effective, into_person_id=target_id, into_id_number=number)]
    return away, into


__all__ = ["DomainError", "decide", "decide_merge"]
