"""A population-register extract (公安人口库) as CSV (UTF-8 or GB18030) or XLSX with Chinese
headers, checked row by row and loaded as a new reference version in one transaction.

Refused rows come back in the same red-marked XLSX as the person extract's; a version is never
overwritten: a later extract is loaded as a version of its own, with its own system time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from psycopg import sql

from domain.errors import DomainError, FieldError
from domain.register import register_row
from importer import error_report
from importer.legacy_file import Column, Refusal, read_records

COLUMNS = (
    Column("id_number", "公民身份号码", "id_number"),
    Column("name", "姓名", "name"),
    Column("gender", "性别", "gender"),
    Column("birth_date", "出生日期", "birth_date"),
    Column("household_region", "户籍地区划", "household_region"),
    Column("address", "户籍地址", "address", required=False),
    Column("status", "人员状态", "status", required=False),
    Column("status_date", "状态日期", "status_date", required=False),
    Column("coverage", "其他医疗保障", "coverage", required=False),
)


@dataclass
class RegisterLoad:
    version_id: int = 0
    name: str = ""
    rows_read: int = 0
    loaded: int = 0
    refused: list[Refusal] = field(default_factory=list)


def write_error_report(path: Path, refused: list[Refusal], target: Path) -> int:
    return error_report.write_error_report(path, refused, target, COLUMNS, lambda p: read_records(p, COLUMNS))


def load_register(conn: Any, path: Path, name: str, now: datetime, today: date) -> RegisterLoad:
    """Check every row and load the good ones as reference version `name` (loaded at `now`)."""
    outcome = RegisterLoad(name=name)
    seen: set[str] = set()
    with conn.transaction():
        if conn.execute("SELECT 1 FROM reference_version WHERE name = %s", (name,)).fetchone():
            raise ValueError(f"reference version {name!r} exists; a later extract is a version of its own")
        outcome.version_id = conn.execute(
            "INSERT INTO reference_version (name, source, loaded_at, persons) VALUES (%s, %s, %s, 0) "
            "RETURNING version_id", (name, path.name, now)).fetchone()["version_id"]
        # The version is loaded into a table of its own, its key built once over the loaded rows, and
        # the table attached as the version's partition at the end (as a comparison's findings are):
        # created as a partition at the start, it would hold every reader of the register for the load.
        version = sql.Literal(outcome.version_id)
        own = sql.Identifier(version_table(outcome.version_id))
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE reference_person INCLUDING DEFAULTS)").format(own))
        columns = "version_id, id_number, name, gender, birth_date, household_region, address, status, " \
                  "status_date, coverage"
        with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(own, sql.SQL(columns))) as copy:
            for number, record in read_records(path, COLUMNS):
                outcome.rows_read += 1
                try:
                    row = register_row(record, today)
                    if row.id_number in seen:
                        raise DomainError(FieldError("id_number", "register.duplicate",
                                                     f"{row.id_number} is listed twice in this extract"))
                except DomainError as refused:
                    outcome.refused.append((number, refused.errors))
                    continue
                seen.add(row.id_number)
                copy.write_row((outcome.version_id, row.id_number, row.name, row.gender, row.birth_date,
                                row.household_region, row.address, row.status, row.status_date, row.coverage))
                outcome.loaded += 1
        for attached in ("ALTER TABLE {own} ADD PRIMARY KEY (version_id, id_number), "
                         "ADD CHECK (version_id = {version})",  # so that attaching need not scan again
                         "ALTER TABLE reference_person ATTACH PARTITION {own} FOR VALUES IN ({version})"):
            conn.execute(sql.SQL(attached).format(own=own, version=version))
        conn.execute("UPDATE reference_version SET persons = %s WHERE version_id = %s",
                     (outcome.loaded, outcome.version_id))
    conn.execute(sql.SQL("ANALYZE {}").format(own))  # a version is a bulk of new rows: the planner should know
    return outcome


def version_table(version_id: int) -> str:
    """The partition of reference_person that holds one version (migration 0025 names them so)."""
    return f"reference_person_v{version_id}"
