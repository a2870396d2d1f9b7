"""The cleanup of a hand-made extract (tests/fixtures/cleanup/README.md): 附件2, 附件4 and 附件5
equal, cell by cell, the tables written by hand from seed 001's rules."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import uuid4

from application.service import Ledger
from domain import commands as cmd
from domain.events import Actor
from importer.bulk import BulkImporter
from projections.catalog import PROJECTIONS
from projections.reports import cleanup_summary, duplicate_list
from projections.runner import ProjectionRunner
from tests.support.builders import CLERK

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cleanup"
CUT_OFF = date(2019, 12, 31)
ZHANG_BA, ZHANG_SHI, LI_ER = "350102196803151175", "350102197003151219", "350102197203151256"


def expected(name: str) -> list[list[str]]:
    with (FIXTURE / name).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def catch_up(runner: ProjectionRunner) -> None:
    for projection in PROJECTIONS:
        runner.catch_up(projection)


def enrollment(ledger: Ledger, number: str, insurance_type: str, region: str):
    [found] = [e for e in ledger.person("01", number).enrollments.values()
               if e.insurance_type == insurance_type and e.region == region]
    return found


def test_the_reports_equal_the_tables_written_by_hand(store):
    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    summary = BulkImporter(store.datastore, Actor(kind="import_job", id="fixture")).run_file(
        FIXTURE / "extract.csv", source="extract.csv")
    assert [row for row, _ in summary.refused] == [25, 26]  # 李八 (ZZZ) and 李九 (no end month): rows 25, 26
    catch_up(runner)
    t1 = datetime.now(timezone.utc)
    office = cmd.Context(command_id=uuid4(), actor=CLERK, now=datetime.now(timezone.utc), evidence=("本人确认书",))
    cleaning = [
        cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=ZHANG_BA, reason="跨制度重复参保清理",
                              enrollment_id=enrollment(ledger, ZHANG_BA, "390", "350102").id,
                              changes={"end": "2018-01-01"}),
        cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=ZHANG_SHI, reason="制度内重复参保清理，保留户籍地",
                              enrollment_id=enrollment(ledger, ZHANG_SHI, "390", "350102").id,
                              changes={"end": "2016-01-01"}),
        cmd.RemoveFakeEnrollment(effective=date(2026, 11, 1), id_number=LI_ER,
                                 enrollment_id=enrollment(ledger, LI_ER, "390", "350203").id),
    ]
    for command in cleaning:
        ledger.execute(command, replace(office, command_id=uuid4(), now=datetime.now(timezone.utc)))
    catch_up(runner)
    t2 = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        rows = cleanup_summary(conn, CUT_OFF, t1, t2)
        within, cross = duplicate_list(conn, "within", CUT_OFF), duplicate_list(conn, "cross", CUT_OFF)

    [header, *wanted] = expected("附件2-expected.csv")
    got = [[str(row[key]) for key in header] for row in rows]
    for want, have in zip(wanted, got, strict=True):
        assert dict(zip(header, have, strict=True)) == dict(zip(header, want, strict=True))
    for name, lines in (("附件4-expected.csv", within), ("附件5-expected.csv", cross)):
        assert [[str(cell) for cell in line] for line in lines] == expected(name)[1:], name
