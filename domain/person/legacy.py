"""Legacy extract rows become history: accepted as they were, duplicates flagged, not refused.

The rows must still meet seed 001 附件1's collection rules field by field (what is required,
what comes from a dictionary, when 缴费截止年月 may be empty); a 缴费截止年月 is the last month
paid, and covers that whole month.
"""

from __future__ import annotations

from datetime import date

from domain.codes import table
from domain.command import Context
from domain.dates import month_after
from domain.errors import refuse
from domain.event import Event
from domain.id_numbers import person_id
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.rules import check_identity, check_nationality, overlaps
from domain.person.state import NORMAL, SUSPENDED, TERMINATED, Person
from domain.regions import pools, region_names, validate_region
from domain.schemes import RESIDENT, scheme_of
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


def check_end_month(end: date | None, status: str, contribution_status: str, insurance_type: str) -> None:
    """"当前处于正常参保且正常缴费状态时，参保职工的截止年月允许为空" — and only then."""
    if end is None and not (status == NORMAL and contribution_status == "1" and scheme_of(insurance_type) != RESIDENT):
        raise refuse("end_month", "legacy.end_month_required",
                     "缴费截止年月 may be empty only for an employee enrolled and paying normally "
                     "(参保状态 1, 个人缴费状态 1)")


def check_reason(reason: str | None) -> str:
    """参保状态变更原因: required, from the dictionary — a change reason (63xx, 64xx, 6501) or the
    change type it records (11 新参保, 12 恢复缴费, 13/14 转入 …)."""
    code = required_text(reason, "reason")
    if code not in table("change_reason").codes and code not in table("person_change_type").codes:
        raise refuse("reason", "code.unknown",
                     f"“{code}” is neither a 变更原因 nor a 人员变更类型 of the national dictionary")
    return code


def check_region_name(name: str | None, code: str) -> str:
    """参保地医保区划名称: required, and the name of its code where the ledger knows that code."""
    given = required_text(name, "region_name")
    known = region_names().get(code.strip())
    if known is not None and given != known:
        raise refuse("region_name", "region.name_mismatch", f"{code} is {known}, not {given}")
    return given


def check_pooling(region: str, pooling_region: str) -> None:
    if not pools(region.strip(), pooling_region.strip()):
        raise refuse("pooling_region", "region.pooling", f"{pooling_region} cannot pool enrollments of {region}")


def in_force_until(status: str, end: date | None) -> date | None:
    """When a legacy enrollment stops being open, as the fold sees it: a terminated one at the
    end of its last paid month; an open or suspended one not at all."""
    return month_after(end) if status == TERMINATED and end is not None else None


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
    if checks.run(validate_region, c.region) and checks.run(validate_region, c.pooling_region, "pooling_region"):
        checks.run(check_pooling, c.region, c.pooling_region)
    checks.run(check_region_name, c.region_name, c.region)
    checks.run(check_reason, c.reason)
    checks.run(required_text, c.unit_code, "unit_code")
    checks.done()
    status = legacy_status(c.enrollment_status, c.status_3_means)
    check_period(c.start, c.end)
    check_end_month(c.end, status, c.contribution_status, c.insurance_type)
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
    until = in_force_until(status, c.end)
    duplicates = tuple(
        e.id for e in person.enrollments.values()
        if scheme_of(e.insurance_type) and scheme_of(c.insurance_type) and overlaps(c.start, until, e.start, e.end)
    )
    events.append(ev.LegacyEnrollmentImported(
        effective=c.start, enrollment_id=enrollment_id, insurance_type=c.insurance_type, region=c.region,
        pooling_region=c.pooling_region, unit_code=c.unit_code.strip().upper(), unit_name=c.unit_name,
        person_type=c.person_type, status=status, legacy_status=c.enrollment_status,
        contribution_status=c.contribution_status, start=c.start, end=c.end, recorded_name=c.name.strip(),
        reason=c.reason,
        local_person_number=c.local_person_number, source=c.source, row=c.row, duplicates_of=duplicates,
    ))
    return events

