"""Checks shared by the person's command and correction deciders: identity, scope of an
enrollment, duplicates in valid time, units and person types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID, uuid5

from iso3166 import countries_by_alpha3

from domain.codes import table
from domain.command import Context
from domain.errors import refuse
from domain.id_numbers import RESIDENT_ID, parse_resident_id
from domain.person import commands as cmd
from domain.person.state import NORMAL, Enrollment, Person
from domain.regions import pools, validate_region
from domain.schemes import (
    CIVIL_SERVANT,
    CIVIL_SERVANT_SUBSIDY,
    EMPLOYEE,
    EMPLOYER_UNITS,
    FLEXIBLE_UNITS,
    FLEXIBLE_WORKER,
    IN_SERVICE_TYPES,
    RESIDENT_TYPES,
    RESIDENT_UNITS,
    RETIRED_TYPES,
    RIDERS,
    scheme_of,
)
from domain.unit.state import CANCELLED, Unit
from domain.validation import Checks, required_text

Units = Mapping[str, Unit]
CORRECTIONS = (cmd.CorrectBaseInfo, cmd.CorrectEnrollment, cmd.MergeIdentity, cmd.RemoveFakeEnrollment)


def check_identity(certificate_type: str, id_number: str, ctx: Context,
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


def identity_warnings(certificate_type: str, number: str | None, ctx: Context) -> tuple[str, ...]:
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


def enrollment_id_for(ctx: Context, n: int = 0) -> UUID:
    """Deterministic from the command: deciding twice gives the same ids."""
    return uuid5(ctx.command_id, f"enrollment:{n}")


UNKNOWN_COUNTRY = "UNK"  # "地方系统无此项信息则按'未知'编码上报" (seed 001 附件1)


def check_nationality(value: str, field: str = "nationality") -> str:
    """A country code of GB/T 2659 (ISO 3166-1 alpha-3), or UNK where the local system has none."""
    code = value.strip().upper()
    if not (len(code) == 3 and code.isalpha()):
        raise refuse(field, "nationality.format", f"“{value}” is not a 3-letter country code (GB/T 2659), e.g. CHN")
    if code != UNKNOWN_COUNTRY and code not in countries_by_alpha3:
        raise refuse(field, "nationality.unknown_code",
                     f"{code} is not a country code of GB/T 2659; use UNK (未知) when the country is not known")
    return code


def enrollment_terms(c: cmd.Enroll | cmd.TransferIn, person: Person, units: Units) -> tuple[str, UUID | None]:
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


def with_riders(person: Person, base: Enrollment, status: str | None = None) -> list[Enrollment]:
    riders = person.riders_of(base.id)
    return [base, *[r for r in riders if status is None or r.status == status]]
