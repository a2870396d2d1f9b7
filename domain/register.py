"""The population register (公安人口库) as the cleanup compares the ledger with it (seed 001):
what a register row says, and the 附件3 reason a person in it is not enrolled.

A row is checked like any input: a resident ID with its check digit, the birth date and gender
it encodes, a 6-digit household region, a known status and coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.dates import parse_day
from domain.errors import DomainError, FieldError
from domain.id_numbers import parse_resident_id
from domain.regions import validate_region
from domain.text import check_texts
from domain.validation import Checks, validate_name

ALIVE, DEAD, ABROAD, CUSTODY, IN_SERVICE = "1", "2", "3", "4", "5"
STATUSES = {ALIVE: "正常", DEAD: "死亡", ABROAD: "出境", CUSTODY: "服刑", IN_SERVICE: "服役"}
COVERAGES = {"公费医疗": "公费医疗", "医疗照顾": "医疗照顾", "离休": "离休人员"}
# 附件3 不参加基本医疗保险人员情况表: its reason columns, in order (4–10).
REASONS = {
    "public_medical": "公费医疗", "medical_care": "医疗照顾", "retired_cadre": "离休人员", "custody": "服刑",
    "military": "参军", "management": "管理因素", "other": "其他",
}
REASON_OF_COVERAGE = {"公费医疗": "public_medical", "医疗照顾": "medical_care", "离休": "retired_cadre"}
REASON_OF_STATUS = {CUSTODY: "custody", IN_SERVICE: "military", ABROAD: "management"}


@dataclass(frozen=True)
class RegisterRow:
    id_number: str
    name: str
    gender: str
    birth_date: date
    household_region: str
    address: str | None
    status: str
    status_date: date | None
    coverage: str | None


def reason_not_enrolled(status: str, coverage: str | None) -> str:
    """附件3's reason: coverage outside basic medical insurance first (已纳入其他制度保障), then
    custody, military service, being abroad (管理因素: 留学生等出境人员), else 其他."""
    if coverage in REASON_OF_COVERAGE:
        return REASON_OF_COVERAGE[coverage]
    return REASON_OF_STATUS.get(status, "other")


def _code(value: str, known: dict[str, str], field: str) -> str:
    text = value.strip()
    for code, label in known.items():
        if text in (code, label):
            return code
    raise DomainError(FieldError(field, "register.code", f"“{value}” is none of {'、'.join(known.values())}"))


def register_row(record: dict[str, str], today: date) -> RegisterRow:
    """The row as the register states it; a DomainError naming every faulty cell otherwise."""
    check_texts(record)  # no control characters, nothing longer than its field holds (an address: 200)
    checks = Checks()
    parsed = checks.run(lambda raw: parse_resident_id(raw, today=today), record.get("id_number", ""))
    name = checks.run(validate_name, record.get("name", ""))
    birth = checks.run(parse_day, record.get("birth_date", ""), "birth_date")
    gender = record.get("gender", "").strip()
    if gender not in ("1", "2"):
        checks.errors.append(FieldError("gender", "register.gender", f"“{gender}” is neither 1 (男) nor 2 (女)"))
    region = checks.run(validate_region, record.get("household_region", ""), "household_region")
    status = checks.run(_code, record.get("status", "") or ALIVE, STATUSES, "status")
    status_text = record.get("status_date", "").strip()
    status_date = checks.run(parse_day, status_text, "status_date") if status_text else None
    coverage_text = record.get("coverage", "").strip()
    coverage = checks.run(_code, coverage_text, COVERAGES, "coverage") if coverage_text else None
    checks.done()
    assert parsed and name and birth and region and status, "refused above otherwise"
    if parsed.birth_date != birth:
        raise DomainError(FieldError("birth_date", "register.birth_date",
                                     f"{birth} is not the birth date the ID number encodes ({parsed.birth_date})"))
    if parsed.gender != gender:
        raise DomainError(FieldError("gender", "register.gender", "the ID number encodes the other gender"))
    if status == DEAD and status_date is None:
        raise DomainError(FieldError("status_date", "register.death_date", "a death needs its date"))
    return RegisterRow(parsed.number, name, gender, birth, region, record.get("address", "").strip() or None,
                       status, status_date, coverage)
