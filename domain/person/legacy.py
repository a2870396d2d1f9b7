"""Legacy extract rows become history: accepted as they were, duplicates flagged, not refused."""

from __future__ import annotations

from datetime import date

from domain.codes import table
from domain.command import Context
from domain.errors import refuse
from domain.event import Event
from domain.id_numbers import person_id
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.rules import check_identity, check_nationality, overlaps
from domain.person.state import NORMAL, SUSPENDED, TERMINATED, Person
from domain.regions import validate_region
from domain.schemes import scheme_of
from domain.uuids import uuid5
from domain.validation import Checks, required_text, validate_name

STATUS_3_TARGETS = (NORMAL, SUSPENDED, TERMINATED)


def legacy_status(status: str, status_3_means: str | None) -> str:
    """The status a legacy row records: 3 as the import job maps it (it has no settled
    meaning), and never 0 (未参保 is not an enrollment)."""
    if status == "3":
        if status_3_means not in STATUS_3_TARGETS:
            raise refuse("enrollment_status", "legacy.status_3_unmapped",
                         "legacy status 3 has no settled meaning; the import must say what it maps to (1, 2 or 4)")
        status = status_3_means
    if status == "0":
        raise refuse("enrollment_status", "legacy.not_enrolled", "a row with status 0 (未参保) is not an enrollment")
    return status


def check_period(start: date, end: date | None) -> None:
    if end is not None and end < start:
        raise refuse("end_month", "legacy.end_before_start", f"ends {end} before it starts {start}")


def decide_import(c: cmd.ImportLegacyEnrollment, person: Person, ctx: Context) -> list[Event]:
    checks = Checks()
    number = checks.run(check_identity, c.certificate_type, c.id_number, ctx, c.birth_date, c.gender)
    name = checks.run(validate_name, c.name)
    for table_name, value in (
        ("gender", c.gender), ("ethnicity", c.ethnicity), ("survival_status", c.survival_status),
        ("insurance_type", c.insurance_type), ("person_type", c.person_type),
        ("contribution_status", c.contribution_status), ("enrollment_status", c.enrollment_status),
    ):
        checks.run(table(table_name).require, value, table_name, True)
    checks.run(check_nationality, c.nationality)
    checks.run(validate_region, c.region)
    checks.run(validate_region, c.pooling_region, "pooling_region")
    checks.run(required_text, c.unit_code, "unit_code")
    checks.done()
    status = legacy_status(c.enrollment_status, c.status_3_means)
    check_period(c.start, c.end)
    stream = person_id(c.certificate_type, c.id_number)
    enrollment_id = uuid5(stream, f"legacy:{c.source}:{c.row}")
    if enrollment_id in person.enrollments:
        return []  # the same row of the same file again: already history
    events: list[Event] = []
    assert number is not None and name is not None, "refused by checks.done() otherwise"
    if not person.registered:
        events.append(ev.PersonRegistered(
            effective=c.start, certificate_type=c.certificate_type, id_number=number, name=name,
            gender=c.gender, birth_date=c.birth_date, ethnicity=c.ethnicity, nationality=c.nationality.upper(),
            survival_status=c.survival_status, phone=c.phone, household_region=c.household_region,
            legacy_id_number=c.id_number.strip() if len(c.id_number.strip()) == 15 else None,
        ))
    end = c.end if status == TERMINATED or c.end else None
    duplicates = tuple(
        e.id for e in person.enrollments.values()
        if scheme_of(e.insurance_type) and scheme_of(c.insurance_type) and overlaps(c.start, end, e.start, e.end)
    )
    events.append(ev.LegacyEnrollmentImported(
        effective=c.start, enrollment_id=enrollment_id, insurance_type=c.insurance_type, region=c.region,
        pooling_region=c.pooling_region, unit_code=c.unit_code.strip().upper(), unit_name=c.unit_name,
        person_type=c.person_type, status=status, legacy_status=c.enrollment_status,
        contribution_status=c.contribution_status, start=c.start, end=end, recorded_name=c.name.strip(),
        local_person_number=c.local_person_number, source=c.source, row=c.row, duplicates_of=duplicates,
    ))
    return events

