"""A monthly contribution file (缴费明细) imported into the ledger: a person employed in Fuzhou and
then in Xiamen, with a gap in each place; the summary must equal a count by hand."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from uuid import uuid4

import pytest
from openpyxl import load_workbook

from application.clock import FixedClock
from application.service import Ledger
from domain import commands as cmd
from domain.person.contribution_summary import summarise
from importer import contribution_file
from importer.contribution_file import ContributionFile, import_contributions
from tests.support.builders import EMPLOYER, EMPLOYER_2, NOW, ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id(seq="848")
HEADER = ["证件类型", "证件号码", "姓名", "险种类型", "参保地医保区划编码", "单位编号", "费款所属期", "缴费基数",
          "单位缴纳金额", "个人缴纳金额", "到账日期"]


def months(first: date, last: date) -> list[date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


FUZHOU_GAP = months(date(2019, 10, 1), date(2020, 1, 1))  # four months: too long to pay up
XIAMEN_GAP = months(date(2021, 3, 1), date(2021, 4, 1))  # two months: can still be paid up
FUZHOU = [m for m in months(date(2019, 1, 1), date(2020, 6, 1)) if m not in FUZHOU_GAP]  # 18 - 4 = 14
XIAMEN = [m for m in months(date(2020, 7, 1), date(2021, 12, 1)) if m not in XIAMEN_GAP]  # 18 - 2 = 16


def row(month: date, region: str, unit: str, **over: str) -> list[str]:
    cells = {
        "证件类型": "01", "证件号码": ID, "姓名": "阿依古丽·买买提", "险种类型": "310",
        "参保地医保区划编码": region, "单位编号": unit, "费款所属期": f"{month:%Y%m}",
        "缴费基数": "6,000.00", "单位缴纳金额": "480.00", "个人缴纳金额": "120.00",
        "到账日期": f"{month:%Y%m}15",
    } | over
    return [cells[h] for h in HEADER]


@pytest.fixture
def employed_in_two_regions(ledger: Ledger) -> Ledger:
    for command in (register_unit(), register_unit(EMPLOYER_2, name="厦门公司"), register(ID),
                    enroll_employee(ID, effective=date(2019, 1, 1))):
        ledger.execute(command, ctx())
    [enrollment] = ledger.person("01", ID).enrollments.values()
    transfer = uuid4()
    ledger.execute(cmd.TransferOut(effective=date(2020, 7, 1), id_number=ID, enrollment_id=enrollment.id,
                                   target_region="350203", direction="11", transfer_id=transfer), ctx())
    ledger.execute(cmd.TransferIn(effective=date(2020, 7, 1), id_number=ID, transfer_id=transfer, region="350203",
                                  insurance_type="310", unit_code=EMPLOYER_2, person_type="1101"), ctx())
    return ledger


@pytest.fixture
def monthly_file(tmp_path: Path) -> Path:
    path = tmp_path / "2021年缴费明细.csv"
    with path.open("w", encoding="gb18030", newline="") as f:  # what the tax authority's Windows export writes
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(row(m, "350102", EMPLOYER) for m in FUZHOU)
        writer.writerows(row(m, "350203", EMPLOYER_2) for m in XIAMEN)
        writer.writerow(row(date(2018, 12, 1), "350102", EMPLOYER))  # before the enrollment began
        writer.writerow(row(date(2021, 5, 1), "350203", EMPLOYER_2, 费款所属期="202113", 单位缴纳金额="四百八"))
    return path


def test_the_summary_of_an_imported_file_equals_the_count_by_hand(employed_in_two_regions, monthly_file):
    ledger = employed_in_two_regions
    summary = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))
    assert (summary.rows_read, summary.rows_written, len(summary.refused)) == (32, 30, 2)

    made = summarise(ledger.person("01", ID), date(2022, 1, 15))
    assert made.months == {("310", "350102"): 14, ("310", "350203"): 16}
    assert made.employee_months == 30 and made.employee_years == (2, 6)
    assert [(g.region, g.first_month, g.months, g.can_be_paid_up) for g in made.gaps] == [
        ("350102", date(2019, 10, 1), 4, False),
        ("350203", date(2021, 3, 1), 2, True),
    ]


def test_a_file_imported_under_the_earlier_command_ids_is_still_recorded_when_imported_again(
        employed_in_two_regions, monthly_file, monkeypatch):
    """Rows were named by version-5 UUIDs before 2026-12-03: the log holds those for a file
    imported then, and importing it again counts its rows as recorded, not as refused."""
    ledger = employed_in_two_regions
    with monkeypatch.context() as earlier:
        earlier.setattr(contribution_file, "numbered_uuid",
                        lambda _prefix, number: contribution_file.earlier_command_id(monthly_file.name, number))
        first = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))
    again = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))
    assert first.rows_written == 30
    assert (again.rows_written, again.rows_already_recorded, len(again.refused)) == (0, 30, 2)


def test_importing_the_same_file_again_records_nothing_new(employed_in_two_regions, monthly_file):
    ledger = employed_in_two_regions
    first = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))
    again = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))
    assert (again.rows_written, again.rows_already_recorded) == (0, first.rows_written)
    assert len(ledger.person("01", ID).contributions) == 30


def test_refused_rows_come_back_with_the_faulty_cells_red_and_why(employed_in_two_regions, monthly_file, tmp_path):
    file = ContributionFile(monthly_file)
    summary = import_contributions(employed_in_two_regions.store.datastore, file, FixedClock(NOW))
    target = tmp_path / "errors.xlsx"
    assert file.write_error_report(summary.refused, target) == 2

    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    red = {(r, header[c.column - 1]) for r, line in enumerate(sheet.iter_rows(min_row=2), start=2) for c in line
           if c.fill.fgColor.rgb == "FFFF0000"}
    assert red == {(2, "险种类型"), (3, "费款所属期"), (3, "单位缴纳金额")}
    assert sheet.cell(row=2, column=len(header)).value == \
        "险种类型：no 310 enrollment in 350102 was in force in 2018-12"


def test_bulk_written_months_chain_onto_the_stream_like_any_command(employed_in_two_regions, monthly_file):
    from eventlog.verify import verify

    ledger = employed_in_two_regions
    import_contributions(ledger.store.datastore, ContributionFile(monthly_file, "legacy"), FixedClock(NOW))
    last = ledger.person_history("01", ID)[-1]
    assert (last.meta.command, last.meta.channel, last.meta.evidence) == (
        "RecordContribution", "import", ("原系统缴费明细：2021年缴费明细.csv",))
    assert last.event.source == "legacy"
    assert verify(ledger.store.datastore).clean  # every hash chain intact
    # and the ledger's own service goes on from there
    ledger.execute(cmd.RecordContribution(
        effective=date(2022, 1, 1), id_number=ID, insurance_type="310", region="350203", unit_code=EMPLOYER_2,
        base=Decimal("6000"), unit_amount=Decimal("480"), personal_amount=Decimal("120")), ctx())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_two_worker_processes_record_what_one_process_records(server_conninfo, tmp_path, kind, monkeypatch):
    import importer.contribution_file as contribution_file
    from demo.population import write_contribution_file, write_extract
    from eventlog.store import EventStore
    from importer.bulk import import_extract
    from importer.summary import ImportSummary
    from tests.integration.test_legacy_import import write_xlsx
    from tests.support.fresh import imported_into_fresh_database

    monkeypatch.setattr(contribution_file, "SHARED_FROM_ROWS", 0)  # a file this small is shared only when told
    extract, monthly = tmp_path / "extract.csv", tmp_path / "2023年缴费明细.csv"
    write_extract(extract, persons=400, seed=11)
    write_contribution_file(extract, monthly, 1_500)
    if kind == "xlsx":
        with monthly.open(encoding="utf-8", newline="") as f:
            monthly = write_xlsx(tmp_path / "2023年缴费明细.xlsx", list(csv.reader(f)))
    def imported(store: EventStore, conninfo: str, workers: int) -> ImportSummary:
        import_extract(store.datastore, extract, workers=1)
        return import_contributions(store.datastore, ContributionFile(monthly), FixedClock(NOW), conninfo=conninfo,
                                    workers=workers)

    outcomes = []
    for workers in (1, 2):
        stored, summary = imported_into_fresh_database(server_conninfo, partial(imported, workers=workers))
        outcomes.append((stored, summary.rows_written, [row for row, _ in summary.refused]))
    one, two = outcomes
    assert one[1] > 1_000
    assert one == two


def test_a_month_recorded_by_another_writer_during_the_import_is_kept_and_the_batch_decided_again(
        employed_in_two_regions, monthly_file, monkeypatch):
    """The batch's command log rows stream to PostgreSQL while it is decided: an office recording
    a month of the same person in between makes the batch's events clash with the office's; the
    batch is decided again on top of it, and nothing of either is lost."""
    import importer.contribution_file as contribution_file
    from eventlog.verify import verify

    ledger, loaded = employed_in_two_regions, contribution_file.load_tips
    office_month, office_recorded = FUZHOU[-1], []

    def tips_then_an_office_records(curs, ids):
        tips = loaded(curs, ids)
        if not office_recorded:  # once: between the first attempt's reading and its writing
            office_recorded.append(office_month)
            ledger.execute(cmd.RecordContribution(
                effective=office_month, id_number=ID, insurance_type="310", region="350102", unit_code=EMPLOYER,
                base=Decimal("6000"), unit_amount=Decimal("480"), personal_amount=Decimal("120"), source="office"),
                ctx())
        return tips

    monkeypatch.setattr(contribution_file, "load_tips", tips_then_an_office_records)
    summary = import_contributions(ledger.store.datastore, ContributionFile(monthly_file), FixedClock(NOW))

    assert office_recorded
    paid = ledger.person("01", ID).contributions
    assert paid[(office_month, "310", "350102")].unit_code == EMPLOYER  # the office's month stands
    assert len(paid) == len(FUZHOU) + len(XIAMEN)  # and every other month of the file is there
    assert summary.rows_written == len(FUZHOU) + len(XIAMEN) - 1
    after_the_months = 2 + len(FUZHOU) + len(XIAMEN)  # row 1 is the header
    assert [r for r, _ in summary.refused] == [2 + FUZHOU.index(office_month), after_the_months, after_the_months + 1]
    assert verify(ledger.store.datastore).clean
