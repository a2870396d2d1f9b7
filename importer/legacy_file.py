"""Legacy extracts (seed 001 附件1) as CSV or XLSX: raw rows, their fields, and the import command each row makes.

Headers may be the annex's Chinese names or English aliases; CSV may be UTF-8 or GB18030
(what legacy Windows systems export). Cells are read as text, so ID numbers keep their X
and leading zeros even when a spreadsheet stored them as numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple, cast
from zlib import crc32

from domain import commands as cmd
from domain.dates import parse_day, parse_month
from domain.errors import DomainError, FieldError, refuse
from domain.id_numbers import normalise_certificate
from domain.schemes import UNKNOWN_TYPE, scheme_of
from importer.spreadsheet import is_spreadsheet, sheet_rows


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # 附件1 中文字段名
    alias: str
    required: bool = True


COLUMNS = (
    Column("region", "参保地医保区划编码", "region"),
    Column("region_name", "参保地医保区划名称", "region_name"),
    Column("pooling_region", "统筹区编码", "pooling_region"),
    Column("local_person_number", "人员编号", "person_number"),
    Column("name", "姓名", "name"),
    Column("gender", "性别", "gender"),
    Column("certificate_type", "证件类型", "certificate_type"),
    Column("id_number", "证件号码", "id_number"),
    Column("birth_date", "出生日期", "birth_date"),
    Column("ethnicity", "民族", "ethnicity"),
    Column("nationality", "国家和地区代码", "nationality"),
    Column("survival_status", "生存状态", "survival_status", required=False),
    Column("contribution_status", "个人缴费状态", "contribution_status"),
    Column("enrollment_status", "参保状态", "enrollment_status"),
    Column("insured_identity", "参保身份", "insured_identity"),
    Column("insurance_type", "险种类型", "insurance_type"),
    Column("start_month", "缴费起始年月", "start_month"),
    Column("end_month", "缴费截止年月", "end_month", required=False),
    Column("unit_code", "单位编号", "unit_code"),
    Column("unit_name", "单位名称", "unit_name"),
    Column("reason", "参保状态变更原因", "change_reason"),
    Column("person_type", "人员类别", "person_type", required=False),
    Column("phone", "联系电话", "phone", required=False),
    Column("household_region", "户籍地区划", "household_region", required=False),
)
BY_NAME = {name: c for c in COLUMNS for name in (c.header, c.alias, c.field)}  # names_of(COLUMNS), built once
HEADER_OF = {c.field: c.header for c in COLUMNS} | {"start": "缴费起始年月", "end": "缴费截止年月"}
UNKNOWN_NATIONALITY = {"未知": "UNK", "": "UNK"}

Refusal = tuple[int, tuple[FieldError, ...]]


def detect_encoding(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            decoder.decode(f.read(1 << 16), final=False)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def raw_rows(path: Path) -> Iterator[list[str]]:
    """Every row of the file as text cells, header first (CSV cells not yet stripped)."""
    if is_spreadsheet(path):
        yield from sheet_rows(path)
        return
    with io.open(path, encoding=detect_encoding(path), newline="") as f:
        yield from csv.reader(f)


def data_lines(path: Path) -> int:
    """The lines of a CSV after its header: its rows, for a progress bar (a cell holding a
    line break makes it over-count a little), at the speed of the disk."""
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def names_of(columns: Sequence[Column]) -> dict[str, Column]:
    """Each column under every name a file may give it: the Chinese header, the alias, the field."""
    return {name: c for c in columns for name in (c.header, c.alias, c.field)}


def header_fields(header: list[str], columns: Sequence[Column] = COLUMNS) -> list[str | None]:
    by_name = BY_NAME if columns is COLUMNS else names_of(columns)
    fields = [by_name[h].field if h in by_name else None for h in header]
    missing = [c.header for c in columns if c.required and c.field not in fields]
    if missing:
        raise ValueError(f"the file lacks required columns: {'、'.join(missing)}")
    return fields


class RawRow(NamedTuple):
    number: int  # as a spreadsheet shows it: the header is row 1
    values: list[str]


def opened(path: Path, columns: Sequence[Column], shares: int,
           ) -> tuple[list[str | None], Iterator[list[str]], Callable[[list[str]], int] | None]:
    """A file's fields (from its header), its data rows unread, and which share a row is in
    (None when there is one share)."""
    rows = raw_rows(path)
    fields = header_fields([v.strip() for v in next(rows, [])], columns)
    return fields, rows, share_of(fields, shares) if shares > 1 else None


def read_rows(path: Path, share: int = 0, shares: int = 1, columns: Sequence[Column] = COLUMNS,
              ) -> tuple[list[str | None], Iterator[RawRow]]:
    """The field each column holds, and every data row's cells; with `shares` > 1, only
    the rows of the persons in share number `share` (see `share_of`)."""
    fields, rows, share_of_row = opened(path, columns, shares)

    def data() -> Iterator[RawRow]:
        for number, values in enumerate(rows, start=2):
            # Asked of the raw cells: a worker skips others' rows before paying for them.
            if share_of_row and share_of_row(values) != share:
                continue
            values = list(map(str.strip, values))
            if any(values):
                yield RawRow(number, values)
    return fields, data()


def share_of(fields: list[str | None], shares: int) -> Callable[[list[str]], int]:
    """Which of `shares` worker processes takes a row: all rows of a person go to one (the
    key is the person's national number, so a 15-digit ID and its upgrade meet). Every
    worker asks this of every row, so the two columns are found once, and a CRC, not the
    person's UUID, spreads the keys."""
    certificate, number = (fields.index(f) if f in fields else None for f in ("certificate_type", "id_number"))

    def share(values: list[str]) -> int:
        def cell(i: int | None) -> str:
            return values[i].strip() if i is not None and i < len(values) else ""
        kind = cell(certificate)
        return crc32(f"{kind}:{normalise_certificate(kind, cell(number))}".encode()) % shares
    return share


def record_of(fields: list[str | None], values: list[str]) -> dict[str, str]:
    if None not in fields:  # every column is one of ours (the usual file): no cell to leave out
        return dict(zip(cast(list[str], fields), values, strict=False))
    return {f: v for f, v in zip(fields, values, strict=False) if f}


def read_records(path: Path, columns: Sequence[Column] = COLUMNS, share: int = 0, shares: int = 1,
                 ) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, field → text) for every data row of a file whose columns are `columns`;
    with `shares` > 1, only those of the persons in share number `share`. (What `read_rows`
    and `record_of` give, in one loop: a contribution file's rows pay little else.)"""
    fields, rows, share_of_row = opened(path, columns, shares)
    named, strip = cast(list[str], fields), str.strip
    every_column_ours = None not in fields
    for number, values in enumerate(rows, start=2):
        if share_of_row and share_of_row(values) != share:  # as in read_rows
            continue
        values = list(map(strip, values))
        if any(values):
            yield number, (dict(zip(named, values, strict=False)) if every_column_ours
                           else record_of(fields, values))


def to_command(record: dict[str, str], source: str, row: int, status_3_means: str | None) -> cmd.ImportLegacyEnrollment:
    errors: list[FieldError] = []
    for column in COLUMNS:
        if column.required and not record.get(column.field):
            errors.append(FieldError(column.field, "required", f"{column.header}不能为空"))
    if errors:
        raise DomainError(*errors)
    dates: dict[str, date | None] = {}
    for field, parse in (("birth_date", parse_day), ("start_month", parse_month)):
        try:
            dates[field] = parse(record[field], field)
        except DomainError as refused:
            errors.extend(refused.errors)
    try:
        dates["end_month"] = parse_month(record["end_month"], "end_month") if record.get("end_month") else None
    except DomainError as refused:
        errors.extend(refused.errors)
    identity, insurance_type = record["insured_identity"], record["insurance_type"]
    if scheme_of(insurance_type) and identity in ("1", "2") and scheme_of(insurance_type) != identity:
        errors.append(refuse("insured_identity", "legacy.identity_scheme",
                             f"参保身份 {identity} 与险种类型 {insurance_type} 不一致").errors[0])
    if errors:
        raise DomainError(*errors)
    assert dates["start_month"] is not None and dates["birth_date"] is not None, "required, so refused otherwise"
    return cmd.ImportLegacyEnrollment(
        effective=dates["start_month"], certificate_type=record["certificate_type"], id_number=record["id_number"],
        name=record["name"], gender=record["gender"], birth_date=dates["birth_date"], ethnicity=record["ethnicity"],
        nationality=UNKNOWN_NATIONALITY.get(record["nationality"], record["nationality"]),
        survival_status=record.get("survival_status") or "1", local_person_number=record["local_person_number"],
        phone=record.get("phone") or None, household_region=record.get("household_region") or None,
        insurance_type=insurance_type, region=record["region"], pooling_region=record["pooling_region"],
        unit_code=record["unit_code"], unit_name=record["unit_name"],
        person_type=record.get("person_type") or UNKNOWN_TYPE,
        enrollment_status=record["enrollment_status"], contribution_status=record["contribution_status"],
        start=dates["start_month"], end=dates["end_month"], source=source, row=row, status_3_means=status_3_means,
        region_name=record["region_name"], reason=record["reason"],
    )


def command_or_refusal(record: dict[str, str], source: str, row: int, status_3_means: str | None,
                       ) -> cmd.ImportLegacyEnrollment | Refusal:
    try:
        return to_command(record, source, row, status_3_means)
    except DomainError as refused:
        return row, refused.errors

