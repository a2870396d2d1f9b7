"""Importing legacy extracts: valid rows become history, bad rows are refused and reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from application.service import Ledger
from demo.population import write_extract
from domain.events import Actor
from importer.bulk import BulkImporter, import_extract
from importer.error_report import RED, write_error_report
from importer.legacy_file import COLUMNS
from tests.support.builders import resident_id
from tests.support.fresh import imported_into_fresh_database

GOOD = {
    "region": "350102", "region_name": "鼓楼区", "pooling_region": "350100", "local_person_number": "P1",
    "name": "陈红",
    "gender": "2", "certificate_type": "01", "id_number": resident_id(seq="124"), "birth_date": "19850601",
    "ethnicity": "01", "nationality": "CHN", "survival_status": "1", "contribution_status": "1",
    "enrollment_status": "1", "insured_identity": "2", "insurance_type": "390", "start_month": "201501",
    "end_month": "201912", "unit_code": "C350102001", "unit_name": "某社区", "reason": "11", "person_type": "1501",
    "phone": "13800000000", "household_region": "350102",
}
BAD_ROWS = {  # what is wrong → (the row, the field reported, the rule)
    "wrong check character": (
        {"id_number": resident_id(seq="126")[:-1] + "0"},
        "id_number",
        "id_number.check_character",
    ),
    "impossible birth date": ({"birth_date": "19850631"}, "birth_date", "date.calendar"),
    "birth date disagrees with ID": ({"birth_date": "19850602"}, "birth_date", "id_number.birth_date_mismatch"),
    "unknown ethnicity code": ({"ethnicity": "77"}, "ethnicity", "code_table.ethnicity"),
    "missing name": ({"name": ""}, "name", "required"),
    "bad start month": ({"start_month": "2015-1"}, "start_month", "month.format"),
    "unmapped legacy status 3": ({"enrollment_status": "3"}, "enrollment_status", "legacy.status_3_unmapped"),
    "identity disagrees with scheme": ({"insured_identity": "1"}, "insured_identity", "legacy.identity_scheme"),
    "unknown region province": ({"region": "990101"}, "region", "region.province"),
    # seed 001 附件1, field by field (issue 16, points 2-5)
    "end month left empty for a resident": ({"end_month": ""}, "end_month", "legacy.end_month_required"),
    "end month left empty for a terminated employee": (
        {"insured_identity": "1", "insurance_type": "310", "person_type": "1101", "unit_code": "E1",
         "enrollment_status": "4", "contribution_status": "3", "end_month": ""},
        "end_month", "legacy.end_month_required"),
    "no change reason": ({"reason": ""}, "reason", "required"),
    "a change reason not in the dictionary": ({"reason": "9999"}, "reason", "code.unknown"),
    "a country code not in GB/T 2659": ({"nationality": "ZZZ"}, "nationality", "nationality.unknown_code"),
    "no region name": ({"region_name": ""}, "region_name", "required"),
    "a region name that is not its code's": ({"region_name": "思明区"}, "region_name", "region.name_mismatch"),
    "a pooling region that cannot pool the region": ({"pooling_region": "350200"}, "pooling_region",
                                                     "region.pooling"),
}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        out = csv.writer(f)
        out.writerow([c.header for c in COLUMNS])
        for row in rows:
            out.writerow([row.get(c.field, "") for c in COLUMNS])
    return path


def extract(tmp_path: Path, encoding: str = "utf-8") -> Path:
    rows = [GOOD] + [
        {**GOOD, "id_number": resident_id(seq=f"{200 + 2 * n}"), **change}
        for n, (change, _, _) in enumerate(BAD_ROWS.values())
    ]
    return write_csv(tmp_path / "extract.csv", rows, encoding)


@pytest.fixture
def importer(store) -> BulkImporter:
    return BulkImporter(store.datastore, Actor(kind="import_job", id="test"))


def import_file(importer: BulkImporter, path: Path):
    return importer.run_file(path)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_every_kind_of_bad_row_is_refused_with_its_reason_and_nothing_is_written_for_it(
    store, importer, tmp_path, encoding
):
    summary = import_file(importer, extract(tmp_path, encoding))
    assert summary.rows_read == 1 + len(BAD_ROWS) and summary.rows_written == 1
    refused = dict(summary.refused)
    for row, (name, (_, field, rule)) in enumerate(BAD_ROWS.items(), start=3):
        assert (field, rule) in {(e.field, e.rule) for e in refused[row]}, name
    ledger = Ledger(store)
    assert ledger.person("01", GOOD["id_number"]).registered
    for change, _, _ in BAD_ROWS.values():
        number = change.get("id_number")
        if number:
            assert not ledger.person("01", number).registered


def test_importing_the_same_file_twice_records_nothing_new(store, importer, tmp_path):
    path = extract(tmp_path)
    first = import_file(importer, path)
    again = import_file(importer, path)
    assert first.events_written == 2 and again.events_written == 0 and again.rows_already_recorded == 1


def test_imported_events_are_what_the_ledger_itself_would_have_written(store, importer, tmp_path):
    import_file(importer, extract(tmp_path))
    [registered, enrolled] = Ledger(store).person_stream("01", GOOD["id_number"]).events
    assert registered.meta.channel == enrolled.meta.channel == "import"
    assert enrolled.meta.prev_hash != registered.meta.prev_hash
    assert store.logged(enrolled.meta.command_id)[-1].event == enrolled.event


def test_the_error_report_marks_the_faulty_cells_red_and_says_why(store, importer, tmp_path):
    path = extract(tmp_path)
    summary = import_file(importer, path)
    report = tmp_path / "errors.xlsx"
    assert write_error_report(path, summary.refused, report) == len(BAD_ROWS)
    sheet = load_workbook(report).active
    headers = [c.value for c in sheet[1]]
    for line, (name, (_, field, _)) in enumerate(BAD_ROWS.items(), start=2):
        header = next(c.header for c in COLUMNS if c.field == field)
        cell = sheet.cell(row=line, column=headers.index(header) + 1)
        assert cell.fill.fgColor.rgb == RED.fgColor.rgb and cell.comment is not None, name
        assert header in sheet.cell(row=line, column=len(headers)).value
        untouched = sheet.cell(row=line, column=headers.index("人员编号") + 1)
        assert untouched.fill.fgColor.rgb != RED.fgColor.rgb


def test_an_xlsx_extract_reads_like_the_csv_with_numbers_kept_as_text(store, importer, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([c.header for c in COLUMNS])
    book.active.append(
        [
            int(v) if v.isdigit() and c.field in ("birth_date", "start_month") else v
            for c in COLUMNS
            for v in [GOOD.get(c.field, "")]
        ]
    )
    book.save(tmp_path / "extract.xlsx")
    summary = import_file(importer, tmp_path / "extract.xlsx")
    assert summary.rows_written == 1 and not summary.refused


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_xlsx_row_keeps_its_sheet_row_number_across_empty_rows(store, importer, tmp_path):
    bad = {**GOOD, "id_number": resident_id(seq="202"), "ethnicity": "77"}
    path = write_xlsx(
        tmp_path / "extract.xlsx",
        [
            [c.header for c in COLUMNS],
            [GOOD.get(c.field, "") for c in COLUMNS],
            [],
            [],
            [bad.get(c.field, "") for c in COLUMNS],
        ],
    )
    summary = import_file(importer, path)
    assert summary.rows_written == 1 and [row for row, _ in summary.refused] == [5]


def test_an_id_number_a_spreadsheet_stored_as_a_number_is_refused_not_completed_with_invented_digits(
    store, importer, tmp_path
):
    number = resident_id(seq="124")
    assert number.isdigit() and float(number) != int(number), "a float cannot hold this ID exactly"
    row = [float(number) if c.field == "id_number" else GOOD.get(c.field, "") for c in COLUMNS]
    summary = import_file(importer, write_xlsx(tmp_path / "extract.xlsx", [[c.header for c in COLUMNS], row]))
    [(_, errors)] = summary.refused
    assert [(e.field, e.rule) for e in errors] == [("id_number", "id_number.format")]
    assert not Ledger(store).person("01", number).registered


def test_a_file_that_is_not_a_workbook_is_refused_with_its_name_and_nothing_is_written(store, importer, tmp_path):
    path = tmp_path / "extract.xlsx"
    path.write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match="extract.xlsx cannot be read as an XLSX workbook"):
        import_file(importer, path)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_rows_of_the_file_up_to_all_of_them(empty_database, store, tmp_path, workers):
    path = tmp_path / "extract.csv"
    write_extract(path, persons=300, seed=5)
    reports = []
    summary = BulkImporter(store.datastore, Actor(kind="import_job", id="test"), batch_rows=50).run_file(
        path, progress=reports.append, workers=workers, conninfo=empty_database
    )
    assert {r.rows_total for r in reports} == {summary.rows_read}, "the total is known before the rows are read"
    assert len(reports) > 2 and [r.rows_done for r in reports] == sorted(r.rows_done for r in reports)
    assert (reports[-1].rows_done, reports[-1].events_written) == (summary.rows_read, summary.events_written)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_two_worker_processes_record_what_one_process_records(server_conninfo, tmp_path, kind):
    path = tmp_path / "extract.csv"
    write_extract(path, persons=400, seed=11)
    if kind == "xlsx":  # one process reads the sheet itself; two share it as a CSV read once
        with path.open(encoding="utf-8-sig", newline="") as f:
            path = write_xlsx(tmp_path / "extract.xlsx", list(csv.reader(f)))
    outcomes = []
    for workers in (1, 2):
        stored, summary = imported_into_fresh_database(
            server_conninfo, lambda store, conninfo: import_extract(store.datastore, path, conninfo=conninfo,
                                                                    workers=workers))  # noqa: B023 — called at once
        outcomes.append((stored, summary.rows_written, summary.events_written, summary.duplicates_flagged,
                         [row for row, _ in summary.refused]))
    one, two = outcomes
    assert one[1] > 300 and one[4], "the extract has written and refused rows"
    assert one == two


def test_a_row_without_a_person_type_records_it_as_unknown_and_the_summary_counts_it(store, importer, tmp_path):
    """附件1 has no 人员类别 column: an employee row that gives none is not assumed to be in service."""
    from datetime import date, datetime, timezone

    from projections.catalog import PROJECTIONS
    from projections.reports import cleanup_summary
    from projections.runner import ProjectionRunner

    employee = {**GOOD, "id_number": resident_id(seq="310"), "insured_identity": "1", "insurance_type": "310",
                "unit_code": "91350100M000100Y43", "unit_name": "某公司", "end_month": "", "person_type": ""}
    importer.run_file(write_csv(tmp_path / "no-type.csv", [employee]))
    [enrollment] = Ledger(store).person("01", employee["id_number"]).enrollments.values()
    assert enrollment.person_type == "9960"
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    now = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        [row, _] = cleanup_summary(conn, date(2019, 12, 31), now, now)
    assert (row["after_employee"], row["after_retired"], row["after_type_unknown"]) == (1, 0, 1)
