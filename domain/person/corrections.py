"""Corrections of a person's record: base information (35) and, retroactively, an
enrollment (36). Through the unit channel they wait out a confirmed lock; an office may
override it with evidence, and the event says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.codes import table
from domain.command import UNIT_PORTAL, Context
from domain.errors import refuse
from domain.event import Event
from domain.id_numbers import RESIDENT_ID
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.rules import (
    Units,
    check_identity,
    check_nationality,
    check_person_type,
    check_unit,
    describe,
    overlaps,
)
from domain.person.state import BASE_FIELDS, Enrollment, Person, apply_enrollment_changes
from domain.regions import pools, validate_region
from domain.unit.decider import unit_channel_lock
from domain.validation import Checks, validate_name


def employer_locks(person: Person, units: Units, ctx: Context) -> str | None:
    """Refuse unit-channel corrections during a confirmed lock; name a lock an office overrides."""
    codes = {ctx.actor.unit_code} if ctx.channel == UNIT_PORTAL else {e.unit_code for e in person.open_enrollments()}
    overridden = None
    for code in sorted(c for c in codes if c):
        unit = units.get(code)
        if unit is not None and (lock := unit_channel_lock(unit, ctx)):
            overridden = lock[0]
    return overridden


def _as_is(value: str) -> object:
    return value


def _base_value(name: str, value: str | None, person: Person, ctx: Context) -> str | None:
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
        checked = validators.get(name, _as_is)(value)
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


def decide_base_correction(c: cmd.CorrectBaseInfo, person: Person, ctx: Context) -> list[Event]:
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
    overrode = employer_locks(person, ctx.units, ctx)
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    if not changes:
        return []
    return [ev.BaseInfoCorrected(effective=c.effective, changes=changes, overrode_lock=overrode)]


ENROLLMENT_CORRECTABLE = ("start", "end", "unit_code", "person_type", "pooling_region")


def decide_enrollment_correction(c: cmd.CorrectEnrollment, person: Person, ctx: Context) -> list[Event]:
    enrollment = person.enrollments.get(c.enrollment_id)
    if enrollment is None:
        raise refuse("enrollment_id", "enrollment.unknown", f"the person has no enrollment {c.enrollment_id}")
    if not ctx.evidence:
        raise refuse(
            "evidence", "correction.needs_evidence", "a retroactive correction must cite its evidence (佐证资料)"
        )
    changes: dict[str, tuple[str | None, str | None]] = {}
    for name, value in c.changes.items():
        if name not in ENROLLMENT_CORRECTABLE:
            raise refuse(
                "changes",
                "correction.field",
                f"{name} is not a correctable enrollment field; correctable: {', '.join(ENROLLMENT_CORRECTABLE)}",
            )
        was = {
            "start": enrollment.start.isoformat(),
            "end": enrollment.end.isoformat() if enrollment.end else None,
        }.get(name, getattr(enrollment, name, None))
        changes[name] = (was, _enrollment_value(name, value, enrollment, person, ctx.units))
    corrected = apply_enrollment_changes(enrollment, changes)
    dates = [p.effective for p in corrected.periods]
    if dates != sorted(dates):
        raise refuse(
            "changes",
            "correction.dates_out_of_order",
            "after the correction the enrollment's changes would not be in date order",
        )
    for other in person.enrollments.values():
        if (
            other.id != corrected.id
            and (other.insurance_type, other.region) == (corrected.insurance_type, corrected.region)
            and overlaps(corrected.start, corrected.end, other.start, other.end)
        ):
            raise refuse(
                "changes",
                "correction.overlaps",
                f"after the correction it would overlap {describe(other)} in the same type and region",
            )
    overrode = employer_locks(person, ctx.units, ctx)
    return [
        ev.EnrollmentCorrected(
            effective=c.effective, reason=c.reason, enrollment_id=enrollment.id, changes=changes, overrode_lock=overrode
        )
    ]


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
