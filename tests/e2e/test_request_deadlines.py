"""Deadlines in working days across a year the calendar does not know yet: provisional, then
exact once next year's schedule is loaded, and overdue the working day after — on fixed clocks,
through the CLI's 台账 (`canbao requests`)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from uuid import uuid4

from openpyxl import load_workbook

from application.service import Ledger
from canbao.migrations import apply_migrations
from domain import commands as cmd
from domain.clock import BEIJING
from domain.events import Actor
from eventlog.store import EventStore
from tests.e2e.test_cli import run_cli
from tests.support.builders import enroll_employee, register, register_unit, resident_id

SCHEDULE = Path(__file__).parents[1] / "data" / "working-days-2027.toml"
ID = resident_id(region="350102", born=date(1963, 5, 1), seq="151")
GULOU = Actor(kind="office", id="clerk-gulou", region="350102")


def at(moment: datetime) -> cmd.Context:
    return cmd.Context(command_id=uuid4(), actor=GULOU, channel="office", now=moment)


def accepted_on_28_december(database: str) -> None:
    """An office takes a retirement at its counter on Monday 2026-12-28: applied and accepted (5 working days)."""
    apply_migrations(database)
    store = EventStore(database)
    try:
        ledger = Ledger(store)
        city = cmd.Context(command_id=uuid4(), now=datetime(2026, 12, 1, tzinfo=BEIJING), channel="office",
                           actor=Actor(kind="office", id="clerk-city", region="350100"))
        for command in (register_unit(), register(ID), enroll_employee(ID, effective=date(2010, 1, 1))):
            ledger.execute(command, city.__class__(**{**city.__dict__, "command_id": uuid4()}))
        ledger.execute(cmd.ApplyForService(
            request_id=uuid4(), item_code="002036001002", command="Retire", id_number=ID,
            arguments={"effective": "2026-12-01"}, materials=(
                cmd.Material(name="职工基本医疗保险参保登记表", sha256="a" * 64, size=1),
                cmd.Material(name="参保人员有效身份证件复印件", sha256="b" * 64, size=1))),
            at(datetime(2026, 12, 28, 10, 0, tzinfo=BEIJING)))
    finally:
        store.close()


def ledger_lines(database: str, clock: str, *options: str) -> str:
    result = run_cli("--clock", clock, "requests", *options, DATABASE_URL=database, COLUMNS="200")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_deadline_in_a_year_without_a_schedule_is_provisional_until_the_notice_is_loaded(empty_database,
                                                                                          tmp_path):
    accepted_on_28_december(empty_database)
    # 29, 30, 31 December; then 2027 is unknown: Friday 1 January counted as a weekday, Monday 4th the 5th.
    assert "2027-01-04（暂定）" in ledger_lines(empty_database, "2026-12-28T10:00+08:00")

    loaded = run_cli("calendar", "load", str(SCHEDULE), DATABASE_URL=empty_database)
    assert loaded.returncode == 0, loaded.stderr
    # With the notice: 1 January is a holiday, so the 5th working day is Tuesday 5 January — exact.
    on_the_day = ledger_lines(empty_database, "2027-01-05T23:59+08:00", "--overdue")
    assert "0 overdue" in on_the_day
    workbook = tmp_path / "台账.xlsx"
    after = ledger_lines(empty_database, "2027-01-06T00:00+08:00", "--overdue", "--xlsx", str(workbook))
    assert "2027-01-05" in after and "暂定" not in after and "1 requests, 1 overdue" in after
    rows = list(load_workbook(workbook).active.iter_rows(values_only=True))
    header, [line] = rows[0], rows[1:]
    record = dict(zip(header, line, strict=True))
    assert (record["事项编码"], record["办结时限"], record["超期"]) == ("002036001002", "2027-01-05", "是")
    assert not record["时限待定"], "exact once the schedule is loaded"


def test_a_schedule_file_that_is_not_one_is_refused_in_one_line(empty_database, tmp_path):
    wrong = tmp_path / "2027.toml"
    wrong.write_text('[years.2027]\nholidays = ["2027-01-02"]\n', encoding="utf-8")  # a Saturday
    result = run_cli("calendar", "load", str(wrong), DATABASE_URL=empty_database)
    assert result.returncode == 2 and "2027-01-02 is a weekend day" in result.stderr
    assert "Traceback" not in result.stderr
