"""Reports as files offices open: XLSX (with red cells where a field is wrong) and CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

RED = PatternFill(start_color="FFFF0000", end_color="FFFF0000", fill_type="solid")


def write_table(path: Path, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                faults: dict[tuple[int, int], str] | None = None, required: Iterable[int] = ()) -> Path:
    """Write rows under headers; `faults` maps (row index, column index) to why that cell is red,
    and the headers of `required` columns are red (seed 000: 必填关键信息为红色项)."""
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # the BOM lets Excel read UTF-8
            out = csv.writer(f)
            out.writerow(headers)
            out.writerows(rows)
        return path
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    must = set(required)
    for index, cell in enumerate(sheet[1]):
        cell.font = Font(bold=True, color="FFFF0000" if index in must else None)
    for row in rows:
        sheet.append([v.isoformat() if isinstance(v, date) else v for v in row])
    for (row_index, column_index), why in (faults or {}).items():
        cell = sheet.cell(row=row_index + 2, column=column_index + 1)
        cell.fill = RED
        cell.comment = Comment(why, "canbao")
    book.save(path)
    return path
