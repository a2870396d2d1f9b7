"""Spreadsheet cells read as the text a person typed, each in its place."""

from openpyxl import Workbook

from importer.spreadsheet import as_csv, sheet_rows


def test_a_cell_keeps_its_row_and_column_when_the_sheet_starts_further_in(tmp_path):
    book = Workbook()
    book.active["C3"], book.active["D5"] = "陈红", 201501
    book.save(tmp_path / "sheet.xlsx")
    rows = list(sheet_rows(tmp_path / "sheet.xlsx"))
    assert len(rows) == 5 and rows[2][2] == "陈红" and rows[4][3] == "201501"
    assert not any(rows[0] + rows[1] + rows[3]) and rows[2][:2] == ["", ""]


def test_whole_numbers_lose_their_point_and_dates_read_as_days(tmp_path):
    from datetime import date

    book = Workbook()
    book.active.append([19850601.0, date(1985, 6, 1), 1.5, "  P1 ", None, 0])
    book.save(tmp_path / "sheet.xlsx")
    assert list(sheet_rows(tmp_path / "sheet.xlsx")) == [["19850601", "19850601", "1.5", "P1", "", "0"]]


def test_a_sheet_read_as_csv_has_the_same_rows_and_a_csv_is_read_as_it_is(tmp_path):
    book = Workbook()
    for row in (["姓名", "证件号码"], [], ["陈红", "35010219850601124"]):
        book.active.append(row)
    book.save(tmp_path / "sheet.xlsx")
    with as_csv(tmp_path / "sheet.xlsx") as copy:
        assert copy.read_text(encoding="utf-8").splitlines() == ["姓名,证件号码", ",", "陈红,35010219850601124"]
    assert not copy.exists(), "the temporary CSV is removed"
    csv_file = tmp_path / "extract.csv"
    csv_file.write_text("x\n")
    with as_csv(csv_file) as same:
        assert same == csv_file
