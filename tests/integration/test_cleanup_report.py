"""The 附件2 numbers equal counts folded independently from the events, and "before" and
"after" differ exactly by the cleaning recorded between T1 and T2."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from application.service import Ledger
from demo.population import write_extract
from domain import commands as cmd
from domain.events import Actor
from domain.schemes import BASE_TYPES, scheme_of
from domain.timeline import snapshot
from importer.bulk import BulkImporter
from projections.anomalies import anomaly_rows
from projections.catalog import PROJECTIONS
from projections.person_rows import StreamHistory
from projections.reports import QUALITY_ANOMALIES, cleanup_summary
from projections.runner import ProjectionRunner
from tests.support.builders import CLERK

CUT_OFF = date(2019, 12, 31)


@pytest.fixture
def population(store, tmp_path: Path):
    extract = tmp_path / "extract.csv"
    write_extract(extract, persons=400, seed=5)
    BulkImporter(store.datastore, Actor(kind="import_job", id="t")).run_file(extract, source="extract.csv")
    return Ledger(store), ProjectionRunner(store.datastore)


def catch_up(runner: ProjectionRunner) -> None:
    for projection in PROJECTIONS:
        runner.catch_up(projection)


def folded_counts(ledger: Ledger, known_at: datetime) -> dict[tuple[str, str], set]:
    """(region, column) → persons, by folding every person's events: no projection involved."""
    counts: dict[tuple[str, str], set] = defaultdict(set)
    with ledger.store.datastore.get_connection() as conn:
        ids = [r["originator_id"] for r in conn.execute(
            "SELECT DISTINCT originator_id FROM canbao_events WHERE topic LIKE 'person.%'")]
    for pid in ids:
        history = ledger.store.load(pid).events
        # A record with a fault in an 附件1 field or its insurance data is not yet counted as enrolled.
        faulty = any(row[4] in QUALITY_ANOMALIES and row[7] is None  # believed now
                     for row in anomaly_rows(StreamHistory(pid, history)))
        for spell in snapshot(history, CUT_OFF, known_at):
            if spell.insurance_type not in BASE_TYPES:
                continue
            scheme = {"1": "employee", "2": "resident"}[scheme_of(spell.insurance_type)]
            # 合计 = 职工 + 居民: a person enrolled in both schemes counts once in each.
            counts[(spell.region, "before_total")].add((pid, scheme))
            counts[(spell.region, f"before_{scheme}")].add(pid)
            if spell.status == "2":
                counts[(spell.region, "suspended_total")].add((pid, scheme))
            elif not faulty:
                counts[(spell.region, "after_total")].add((pid, scheme))
                if scheme == "employee" and spell.person_type.startswith("12"):
                    counts[(spell.region, "after_retired")].add(pid)
    return counts


def report(ledger: Ledger, before: datetime, after: datetime) -> dict[str, dict[str, int]]:
    with ledger.store.datastore.get_connection() as conn:
        return {r["region"]: r for r in cleanup_summary(conn, CUT_OFF, before, after)}


def test_the_report_equals_counts_folded_from_the_events(population):
    ledger, runner = population
    catch_up(runner)
    now = datetime.now(timezone.utc)
    rows, folded = report(ledger, now, now), folded_counts(ledger, now)
    regions = {region for region, _ in folded}
    assert regions == set(rows) - {"合计"}
    for region in regions:
        for column in ("before_total", "before_employee", "before_resident", "suspended_total", "after_total",
                       "after_retired"):
            assert rows[region][column] == len(folded.get((region, column), ())), (region, column)


def test_before_and_after_differ_exactly_by_the_cleaning_recorded_between_them(population):
    ledger, runner = population
    catch_up(runner)
    with ledger.store.datastore.get_connection() as conn:
        cross = conn.execute("SELECT d.person_id, d.clean_enrollment_id, p.id_number FROM duplicate_set d "
                             "JOIN person_view p USING (person_id) WHERE kind = 'cross_scheme' "
                             "ORDER BY p.id_number LIMIT 5").fetchall()
    assert cross, "the generated population has cross-scheme duplicates"
    t1 = datetime.now(timezone.utc)
    cleaned: dict[tuple[str, str], set] = defaultdict(set)  # (region, column) → persons, from the events
    for row in cross:  # 清理居民医保: the resident enrollment is found to have ended where it began
        enrollment = ledger.person("01", row["id_number"]).enrollments[row["clean_enrollment_id"]]
        ledger.execute(cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=row["id_number"],
                                             enrollment_id=enrollment.id, changes={"end": enrollment.start.isoformat()},
                                             reason="跨制度重复参保清理"),
                       cmd.Context(command_id=__import__("uuid").uuid4(), actor=CLERK,
                                   now=datetime.now(timezone.utc), evidence=("本人确认书",)))
        on_cut_off = snapshot(ledger.store.load(row["person_id"]).events, CUT_OFF, t1)
        if any(sp.enrollment_id == enrollment.id for sp in on_cut_off):
            in_force = {scheme_of(sp.insurance_type) for sp in on_cut_off
                        if sp.status == "1" and sp.insurance_type in BASE_TYPES}
            if len(in_force) > 1:  # a duplicate on the cut-off, cleaned; otherwise a corrected date, not fake
                cleaned[(enrollment.region, "cross_resident")].add(row["person_id"])
    catch_up(runner)
    t2 = datetime.now(timezone.utc) + timedelta(seconds=1)
    rows = report(ledger, t1, t2)
    for region, row in rows.items():
        if region == "合计":
            continue
        for column in ("cross_resident", "fake_resident"):
            assert row[column] == len(cleaned.get((region, column), ())), (region, column)
        assert row["cross_employee"] == row["duplicate_total"] == row["fake_employee"] == 0, region
    unchanged = report(ledger, t1, t1)
    assert all(r["fake_total"] == r["cross_resident"] == 0 for r in unchanged.values())
    assert any(column == "cross_resident" for _, column in cleaned)
    assert rows["合计"]["before_total"] == unchanged["合计"]["before_total"]


def test_the_roster_export_marks_missing_and_suspect_fields_red(population, tmp_path):
    from openpyxl import load_workbook

    from projections.report_files import RED, write_table
    from projections.reports import ROSTER_HEADERS, ROSTER_REQUIRED, roster_export

    ledger, runner = population
    catch_up(runner)
    with ledger.store.datastore.get_connection() as conn:
        unit = conn.execute("""SELECT s.unit_code FROM enrollment_spell s JOIN person_view p USING (person_id)
                               WHERE s.insurance_type = '310' AND s.recorded_to IS NULL AND s.valid_to IS NULL
                               AND p.phone IS NULL AND s.unit_code NOT LIKE 'F%%' LIMIT 1""").fetchone()["unit_code"]
        rows, faults = roster_export(conn, unit, date.today())
    target = write_table(tmp_path / "roster.xlsx", "员工花名册", ROSTER_HEADERS, rows, faults, ROSTER_REQUIRED)
    sheet = load_workbook(target).active
    red_headers = {cell.value for cell in sheet[1] if cell.font.color is not None and cell.font.color.rgb == "FFFF0000"}
    assert red_headers == {"姓名", "证件号码", "性别", "出生日期", "人员类别", "参保状态", "险种类型", "联系电话"}
    phone_column = ROSTER_HEADERS.index("联系电话") + 1
    for line, row in enumerate(rows, start=2):
        cell = sheet.cell(row=line, column=phone_column)
        missing = not row[10]
        assert (cell.fill.fgColor.rgb == RED.fgColor.rgb) == missing
        if missing:
            assert cell.comment.text == "联系电话缺失"
    assert any(not row[10] for row in rows)


def test_a_duplicate_list_line_shows_its_regions_own_person_number_and_the_household_address(store):
    from projections.reports import duplicate_list
    from tests.support.builders import ctx, resident_id

    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    number = resident_id(seq="301")

    def row(n: int, region: str, local: str) -> cmd.ImportLegacyEnrollment:
        return cmd.ImportLegacyEnrollment(
            effective=date(2015, n, 1), id_number=number, name="双地", gender="1", birth_date=date(1985, 6, 1),
            ethnicity="01", insurance_type="390", region=region, pooling_region=region[:4] + "00",
            unit_code="C1", person_type="1501", enrollment_status="1", contribution_status="1",
            start=date(2015, n, 1), end=date(2019, 12, 1), source="t.csv", row=n, local_person_number=local,
            region_name={"350102": "鼓楼区", "350203": "思明区"}[region], reason="11")

    for command in (row(1, "350102", "FZ-0001"), row(2, "350203", "XM-0002")):
        ledger.execute(command, ctx())
    ledger.execute(cmd.CorrectBaseInfo(effective=date(2020, 1, 1), id_number=number,
                                       changes={"address": "福建省福州市鼓楼区某街道1号"}), ctx())
    catch_up(runner)
    with store.datastore.get_connection() as conn:
        lines = duplicate_list(conn, "within", CUT_OFF)
    assert [(line[0], line[1], line[6]) for line in lines] == [
        ("350102", "FZ-0001", "福建省福州市鼓楼区某街道1号"), ("350203", "XM-0002", "福建省福州市鼓楼区某街道1号")]


def test_the_roster_export_marks_a_wrongly_formatted_phone_red_and_says_why(store):
    from projections.reports import roster_export
    from tests.support.builders import EMPLOYER, ctx, enroll_employee, register, register_unit, resident_id

    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    ledger.execute(register_unit(), ctx())
    for seq, phone in (("401", "12345"), ("403", "13800000000"), ("405", "0591-87654321")):
        number = resident_id(seq=seq)
        ledger.execute(register(number, phone=phone), ctx())
        ledger.execute(enroll_employee(number), ctx())
    catch_up(runner)
    with store.datastore.get_connection() as conn:
        rows, faults = roster_export(conn, EMPLOYER, date(2020, 1, 1))
    flagged = {rows[line][10]: why for (line, column), why in faults.items() if column == 10}
    assert list(flagged) == ["12345"] and "格式有误" in flagged["12345"]


def test_every_row_of_the_summary_adds_up_on_generated_populations(empty_database, tmp_path):
    """合计 = 职工 + 居民 in every group of every row, and the 合计 row is the sum of the region rows."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from canbao.migrations import apply_migrations
    from eventlog.store import EventStore
    from projections.reports import COLUMNS, SPLIT_GROUPS
    from tests.conftest import throwaway_database

    server = empty_database

    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 10_000), persons=st.integers(20, 150))
    def adds_up(seed: int, persons: int) -> None:
        with throwaway_database(server, "canbao_sum") as database:
            apply_migrations(database)
            store = EventStore(database)
            try:
                extract = tmp_path / f"extract-{seed}-{persons}.csv"
                write_extract(extract, persons=persons, seed=seed)
                BulkImporter(store.datastore, Actor(kind="import_job", id="p")).run_file(extract)
                catch_up(ProjectionRunner(store.datastore))
                with store.datastore.get_connection() as conn:
                    rows = cleanup_summary(conn, CUT_OFF, datetime.now(timezone.utc), datetime.now(timezone.utc))
            finally:
                store.close()
        *regions, total = rows
        for row in rows:
            for group in SPLIT_GROUPS:
                assert row[f"{group}_total"] == row[f"{group}_employee"] + row[f"{group}_resident"], (row, group)
            for scheme in ("employee", "resident"):  # column 20 = column 6 + the qualifying duplicates
                assert row[f"after_{scheme}"] >= row[f"valid_{scheme}"], (row, scheme)
            assert row["after_retired"] <= row["after_employee"]
        assert total["region"] == "合计"
        assert all(total[key] == sum(r[key] for r in regions) for key, _ in COLUMNS)

    adds_up()


def test_column_6_counts_completed_records_and_not_duplicates(store):
    """附件2 注: column 6 is the records that meet the rules, including those completed or corrected by the
    cleaning — a missing phone is no 附件1 field, an upgraded 15-digit number is completed — and not a
    person still enrolled twice."""
    from tests.support.builders import (
        COMMUNITY,
        ctx,
        enroll_employee,
        enroll_resident,
        register,
        register_unit,
        resident_id,
    )

    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    ledger.execute(register_unit(), ctx())
    ledger.execute(register_unit(COMMUNITY, "08", name="社区"), ctx())
    no_phone, twice = resident_id(seq="601"), resident_id(seq="603")
    fifteen = resident_id(seq="605")[:6] + resident_id(seq="605")[8:17]  # the legacy 15-digit form
    for number in (no_phone, fifteen, twice):
        ledger.execute(register(number, phone=None), ctx())
        ledger.execute(enroll_employee(number, effective=date(2015, 1, 1)), ctx())
    ledger.execute(enroll_resident(twice, effective=date(2016, 1, 1)), ctx())
    catch_up(runner)
    now = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        [row, _] = cleanup_summary(conn, CUT_OFF, now, now)
    assert (row["valid_employee"], row["valid_resident"]) == (2, 0)


def test_only_a_removal_recorded_as_fake_counts_as_fake_enrollment(store):
    """附件2 虚假参保清查人数: enrollments an office removed as fake between the two system times — not every
    enrollment that disappeared (a corrected date is a correction, not a fake enrollment)."""
    from tests.support.builders import ctx, enroll_employee, register, register_unit, resident_id

    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    ledger.execute(register_unit(), ctx())
    fake, corrected = resident_id(seq="701"), resident_id(seq="703")
    enrollment = {}
    for number in (fake, corrected):
        ledger.execute(register(number), ctx())
        [enrollment[number]] = [r.event.enrollment_id for r in ledger.execute(
            enroll_employee(number, effective=date(2015, 1, 1)), ctx()).events if r.event.topic == "person.enrolled"]
    catch_up(runner)
    t1 = datetime.now(timezone.utc)
    office = cmd.Context(command_id=__import__("uuid").uuid4(), actor=CLERK, now=datetime.now(timezone.utc),
                         evidence=("公安人口库比对结果",))
    ledger.execute(cmd.RemoveFakeEnrollment(effective=date(2026, 11, 1), id_number=fake,
                                            enrollment_id=enrollment[fake]), office)
    ledger.execute(cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=corrected,
                                         enrollment_id=enrollment[corrected], changes={"start": "2020-03-01"},
                                         reason="参保日期录入错误"), replace_id(office))
    catch_up(runner)
    t2 = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        [row, _] = cleanup_summary(conn, CUT_OFF, t1, t2)
    assert (row["before_employee"], row["fake_employee"], row["after_employee"]) == (2, 1, 0)


def replace_id(context: cmd.Context) -> cmd.Context:
    from dataclasses import replace
    from uuid import uuid4

    return replace(context, command_id=uuid4())


def test_column_6_reads_the_faults_as_known_at_the_after_time(store):
    """A record corrected between the two times meets the rules "after", and did not "before"."""
    from tests.support.builders import ctx, enroll_employee, register, register_unit, resident_id

    def now_ctx():
        return ctx(now=datetime.now(timezone.utc))

    ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
    ledger.execute(register_unit(), now_ctx())
    number = resident_id(seq="801")
    ledger.execute(register(number), now_ctx())
    ledger.execute(enroll_employee(number, effective=date(2015, 1, 1)), now_ctx())
    # A fault: the civil-servant flag set, but no 320 公务员医疗补助 (seed 000 附件2 "公务员未参加公补").
    ledger.execute(cmd.CorrectBaseInfo(effective=date(2016, 1, 1), id_number=number,
                                       changes={"civil_servant": "1"}), now_ctx())
    catch_up(runner)
    t1 = datetime.now(timezone.utc)
    ledger.execute(cmd.CorrectBaseInfo(effective=date(2016, 1, 1), id_number=number,
                                       changes={"civil_servant": "0"}), now_ctx())  # corrected after t1
    catch_up(runner)
    t2 = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        [at_t1, _] = cleanup_summary(conn, CUT_OFF, t1, t1)
        [at_t2, _] = cleanup_summary(conn, CUT_OFF, t1, t2)
    assert (at_t1["valid_employee"], at_t2["valid_employee"]) == (0, 1)


def test_the_cleaning_columns_count_exactly_the_cleaning_recorded_between_the_two_times(empty_database, tmp_path):
    """Property: on generated populations, with some cross-scheme sets cleaned and some enrollments removed as
    fake between T1 and T2, 附件2's 虚假参保 and 职工居民间重复 columns count exactly those persons, per region."""
    from uuid import uuid4

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from canbao.migrations import apply_migrations
    from eventlog.store import EventStore
    from tests.conftest import throwaway_database

    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 10_000), picks=st.lists(st.booleans(), min_size=12, max_size=12))
    def counts_the_cleaning(seed: int, picks: list[bool]) -> None:
        with throwaway_database(empty_database, "canbao_clean") as database:
            apply_migrations(database)
            store = EventStore(database)
            try:
                cleaned, rows = clean_some(store, tmp_path / f"p-{seed}.csv", seed, picks)
            finally:
                store.close()
        for region, row in rows.items():
            if region != "合计":
                for column in ("cross_resident", "fake_employee", "fake_resident"):
                    assert row[column] == len(cleaned.get((region, column), ())), (region, column)

    def clean_some(store, extract, seed, picks):
        write_extract(extract, persons=120, seed=seed)
        BulkImporter(store.datastore, Actor(kind="import_job", id="p")).run_file(extract)
        ledger, runner = Ledger(store), ProjectionRunner(store.datastore)
        catch_up(runner)
        t1 = datetime.now(timezone.utc) + timedelta(milliseconds=1)
        with store.datastore.get_connection() as conn:
            cross = conn.execute("SELECT d.person_id, d.clean_enrollment_id, p.id_number FROM duplicate_set d JOIN "
                                 "person_view p USING (person_id) WHERE kind = 'cross_scheme' "
                                 "ORDER BY p.id_number").fetchall()
            plain = conn.execute("SELECT e.person_id, e.enrollment_id, p.id_number FROM current_enrollment e "
                                 "JOIN person_view p USING (person_id) WHERE e.insurance_type IN ('310', '390') "
                                 "AND e.person_id NOT IN (SELECT person_id FROM duplicate_set) "
                                 "ORDER BY e.enrollment_id LIMIT 6").fetchall()
        cleaned: dict[tuple[str, str], set] = defaultdict(set)
        office = cmd.Context(command_id=uuid4(), actor=CLERK, now=t1 + timedelta(milliseconds=5),
                             evidence=("清查证据",))  # recorded after T1
        for pick, row in zip(picks[:6], cross, strict=False):
            if pick:
                enrollment = ledger.person("01", row["id_number"]).enrollments[row["clean_enrollment_id"]]
                ledger.execute(cmd.CorrectEnrollment(
                    effective=date(2026, 11, 1), id_number=row["id_number"], enrollment_id=enrollment.id,
                    changes={"end": enrollment.start.isoformat()}, reason="跨制度重复参保清理"),
                    replace_id(office))
                if cut_off_both_schemes(ledger, row["person_id"], t1):
                    cleaned[(enrollment.region, "cross_resident")].add(row["person_id"])
        for pick, row in zip(picks[6:], plain, strict=False):
            if pick:
                enrollment = ledger.person("01", row["id_number"]).enrollments[row["enrollment_id"]]
                ledger.execute(cmd.RemoveFakeEnrollment(effective=date(2026, 11, 1), id_number=row["id_number"],
                                                        enrollment_id=enrollment.id), replace_id(office))
                if in_force_on_cut_off(ledger, row["person_id"], enrollment.id, t1):
                    column = "fake_employee" if enrollment.insurance_type == "310" else "fake_resident"
                    cleaned[(enrollment.region, column)].add(row["person_id"])
        catch_up(runner)
        t2 = datetime.now(timezone.utc) + timedelta(seconds=1)
        return cleaned, report(ledger, t1, t2)

    counts_the_cleaning()


def cut_off_both_schemes(ledger: Ledger, person_id, known_at: datetime) -> bool:
    on_cut_off = snapshot(ledger.store.load(person_id).events, CUT_OFF, known_at)
    return len({scheme_of(s.insurance_type) for s in on_cut_off if s.status == "1"
                and s.insurance_type in BASE_TYPES}) > 1


def in_force_on_cut_off(ledger: Ledger, person_id, enrollment_id, known_at: datetime) -> bool:
    return any(s.enrollment_id == enrollment_id and s.status in ("1", "2")
               for s in snapshot(ledger.store.load(person_id).events, CUT_OFF, known_at))
