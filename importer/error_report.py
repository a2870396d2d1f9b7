"""The XLSX list of refused rows, for units and offices to fix offline (seed 000).

Every refused row is copied as it was, the cells that broke a rule are filled red with a
comment saying why, and a last column lists every reason in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from domain.errors import FieldError
from importer.legacy_file import COLUMNS, HEADER_OF, Column, read_records

RED = PatternFill(start_color="FFFF0000", end_color="FFFF0000", fill_type="solid")
REASON_HEADER = "错误原因"


Records = Callable[[Path], Iterator[tuple[int, dict[str, str]]]]


def write_error_report(source: Path, refused: Iterable[tuple[int, tuple[FieldError, ...]]], target: Path,
                       columns: Sequence[Column] = COLUMNS, records: Records = read_records) -> int:
    """Copy the refused rows of `source` into `target` with their faults marked; return how many.
    `columns` and `records` say what kind of file it is (a person extract unless told)."""
    faults = {row: errors for row, errors in refused}
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "未通过校验"
    sheet.append(["源文件行号", *(c.header for c in columns), REASON_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    column_of = {c.field: n for n, c in enumerate(columns, start=2)}
    header_of = HEADER_OF | {c.field: c.header for c in columns}
    written = 0
    for row, record in records(source):  # a second pass: refused rows are never held in memory
        if row not in faults:
            continue
        sheet.append([row, *(record.get(c.field, "") for c in columns),
                      "；".join(f"{header_of.get(e.field, e.label)}：{e.message}" for e in faults[row])])
        written += 1
        for error in faults[row]:
            column = column_of.get({"start": "start_month", "end": "end_month"}.get(error.field, error.field))
            if column is None:
                continue
            cell = sheet.cell(row=written + 1, column=column)
            cell.fill = RED
            cell.comment = Comment(f"{error.rule}: {error.message}", "canbao")
    book.save(target)
    return written
