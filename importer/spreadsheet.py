"""Spreadsheet extracts read as rows of text cells, as a CSV reader gives them.

Sheets are read with calamine (Rust): openpyxl's reader takes ~400 µs a row, calamine
25–50 (`canbao bench` measures both), which is the difference between an XLSX import that
waits on its reader and one that does not. calamine holds the sheet in memory while it is
read (about 2 KB a row), so a multi-process import reads an XLSX once, into a CSV its
workers share (`as_csv`).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
_EXACT_INTEGERS = 2**53  # a float at or above this may not hold the integer that was meant


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


def cell_text(value: object) -> str:
    """A cell as the text a person typed: whole numbers without ".0", dates as YYYYMMDD.

    An ID number stored as a number of 16 digits or more has lost its last digits
    (spreadsheets keep 15 to 17 significant digits), so it is shown as the float it is and
    refused by the validators, rather than completed with digits no one typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < _EXACT_INTEGERS else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value).strip()


def sheet_rows(path: Path) -> Iterator[list[str]]:
    """Every row of the first sheet from row 1 (empty rows kept, so a row's place is its
    number in the sheet), cells as text."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as unreadable:
        raise ValueError(f"{path.name} cannot be read as an XLSX workbook: {unreadable}") from None
    try:
        # calamine's rows begin at row 1 but at the first column in use (tests/unit/
        # test_spreadsheet.py holds it to that): the empty columns before it are put back.
        padding = [""] * (sheet.start or (0, 0))[1]
        for values in sheet.iter_rows():
            yield padding + [cell_text(v) for v in values]
    finally:
        book.close()


@contextmanager
def as_csv(path: Path) -> Iterator[Path]:
    """`path` itself if it is a CSV; a spreadsheet's rows, written once to a temporary UTF-8
    CSV with the same row numbers, for several processes to read without each loading it."""
    if not is_spreadsheet(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="canbao-import-") as directory:
        copy = Path(directory) / f"{path.stem}.csv"
        with copy.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(sheet_rows(path))
        yield copy
