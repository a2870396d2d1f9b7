"""The national feedback of cross-province duplicates (跨省重复参保, seed 001 二.2): for each
person, the enrollment another province holds. Checked row by row and kept per file; matched to
the persons enrolled here, it lists both sides with 附件5's columns for the confirming office.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.codes import table
from domain.dates import parse_month
from domain.errors import DomainError
from domain.id_numbers import parse_resident_id
from domain.regions import validate_region
from domain.text import check_texts
from domain.validation import Checks, validate_name
from importer import error_report
from importer.legacy_file import Column, Refusal, read_records

COLUMNS = (
    Column("id_number", "公民身份号码", "id_number"),
    Column("name", "姓名", "name"),
    Column("other_region", "外省参保地", "other_region"),
    Column("other_insurance_type", "外省险种类型", "other_insurance_type"),
    Column("other_start", "外省参保开始年月", "other_start"),
    Column("other_unit", "外省参保单位", "other_unit", required=False),
)


@dataclass
class FeedbackLoad:
    batch: str
    rows_read: int = 0
    loaded: int = 0
    refused: list[Refusal] = field(default_factory=list)


def write_error_report(path: Path, refused: list[Refusal], target: Path) -> int:
    return error_report.write_error_report(path, refused, target, COLUMNS, lambda p: read_records(p, COLUMNS))


def _row(record: dict[str, str], now: datetime) -> tuple[Any, ...]:
    check_texts(record)  # no control characters, nothing longer than its field holds
    checks = Checks()
    parsed = checks.run(lambda raw: parse_resident_id(raw, today=now.date()), record.get("id_number", ""))
    name = checks.run(validate_name, record.get("name", ""))
    region = checks.run(validate_region, record.get("other_region", ""), "other_region")
    kind = checks.run(table("insurance_type").require, record.get("other_insurance_type", "").strip(),
                      "other_insurance_type")
    start = checks.run(parse_month, record.get("other_start", ""), "other_start")
    checks.done()
    assert parsed is not None
    return parsed.number, name, region, kind, start, record.get("other_unit", "").strip() or None


def load_feedback(conn: Any, path: Path, now: datetime) -> FeedbackLoad:
    """Check and keep every row of the file, named after the file (loading it again is refused)."""
    outcome = FeedbackLoad(batch=path.name)
    with conn.transaction():
        if conn.execute("SELECT 1 FROM cross_province_feedback WHERE batch = %s LIMIT 1", (path.name,)).fetchone():
            raise ValueError(f"{path.name} has been loaded already")
        with conn.cursor().copy("COPY cross_province_feedback (batch, row_number, loaded_at, id_number, name, "
                                "other_region, other_insurance_type, other_start, other_unit) FROM STDIN") as copy:
            for number, record in read_records(path, COLUMNS):
                outcome.rows_read += 1
                try:
                    copy.write_row((path.name, number, now, *_row(record, now)))
                except DomainError as refused:
                    outcome.refused.append((number, refused.errors))
                    continue
                outcome.loaded += 1
    return outcome
