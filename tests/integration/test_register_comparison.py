"""The ledger against a generated population register with planted cases: the three lists equal
the planted sets exactly (precision and recall 1.0) on two valid dates; 附件3 equals a count from
the register; a later register version changes only comparisons known after it was loaded."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from application.service import Ledger
from demo.population import write_extract
from demo.register import Planted, write_register
from domain import commands as cmd
from domain.events import Actor
from domain.id_numbers import parse_resident_id
from domain.register import DEAD, REASONS, reason_not_enrolled
from domain.schemes import BASE_TYPES
from domain.timeline import snapshot
from eventlog import scans
from importer.bulk import BulkImporter
from importer.register_file import load_register, version_table
from projections.catalog import PROJECTIONS
from projections.register_comparison import KINDS, compare, findings, findings_table, non_enrolled_table
from projections.runner import ProjectionRunner

TODAY = date(2026, 11, 30)
DATES = (date(2018, 6, 30), date(2019, 12, 31))


@pytest.fixture
def population(store, tmp_path: Path):
    extract = tmp_path / "extract.csv"
    write_extract(extract, persons=400, seed=19)
    BulkImporter(store.datastore, Actor(kind="import_job", id="t")).run_file(extract)
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    ledger = Ledger(store)
    with store.datastore.get_connection() as conn:
        people = conn.execute("SELECT id_number, name, coalesce(household_region, "
                              "(SELECT min(region) FROM enrollment_spell s WHERE s.person_id = p.person_id)) AS region "
                              "FROM person_view p WHERE certificate_type = '01' ORDER BY id_number").fetchall()
    register = tmp_path / "register.csv"
    planted = write_register([(p["id_number"], p["name"], p["region"]) for p in people], register, 7, TODAY)
    return ledger, register, planted, [p["id_number"] for p in people]


def register_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["公民身份号码"]: row for row in csv.DictReader(f)}


def expected(ledger: Ledger, numbers: list[str], register: dict[str, dict[str, str]], planted: Planted,
             day: date) -> set[tuple]:
    """Every finding the comparison should make on `day`, counted from the persons' folded histories."""
    wanted: set[tuple] = set()
    enrolled_ids = set()
    for number in numbers:
        history = ledger.person_history("01", number)
        person = ledger.person("01", number)
        regions = {s.region for s in snapshot(history, day) if s.insurance_type in BASE_TYPES and s.status in "12"}
        if regions:
            enrolled_ids.add(number)
        listed = register.get(number)
        for region in regions:
            if listed is None:
                wanted.add(("not_in_register", number, region, None))
                continue
            parsed = parse_resident_id(number, today=TODAY)
            if (listed["姓名"] != person.name or person.birth_date != parsed.birth_date
                    or (person.gender in ("1", "2") and person.gender != parsed.gender)):
                wanted.add(("mismatch", number, region, None))
            if number in planted.dead and planted.dead[number] < day:
                wanted.add(("death_unrecorded", number, region, None))
    for number, row in register.items():
        born = parse_resident_id(number, today=TODAY).birth_date
        died = datetime.strptime(row["状态日期"], "%Y%m%d").date() if row["人员状态"] == DEAD else None
        if number in enrolled_ids or born > day or (died and died <= day):
            continue
        reason = reason_not_enrolled(row["人员状态"], row["其他医疗保障"] or None)
        wanted.add(("not_enrolled", number, row["户籍地区划"], reason))
    return wanted


def found(conn, comparison) -> set[tuple]:
    rows = findings(conn, comparison, None, "", None, 1_000_000)
    return {(r["kind"], r["id_number"], r["region"], r["reason"]) for r in rows}


def test_the_lists_equal_the_planted_cases_on_two_valid_dates(store, population):
    ledger, path, planted, numbers = population
    with store.datastore.get_connection() as conn:
        load = load_register(conn, path, "v1", datetime.now(timezone.utc), TODAY)
        assert not load.refused
        register = register_rows(path)
        for day in DATES:
            comparison = compare(conn, day, datetime.now(timezone.utc), datetime.now(timezone.utc))
            assert found(conn, comparison.comparison_id) == expected(ledger, numbers, register, planted, day), day
            kinds = Counter(kind for kind, *_ in found(conn, comparison.comparison_id))
            assert all(kinds[k] for k in ("not_in_register", "mismatch", "not_enrolled")), kinds
        assert {k for k, *_ in found(conn, comparison.comparison_id)} >= {"death_unrecorded"}


def test_annex_3_equals_a_count_from_the_register_and_its_total_the_sum_of_its_reasons(store, population):
    ledger, path, planted, numbers = population
    with store.datastore.get_connection() as conn:
        load_register(conn, path, "v1", datetime.now(timezone.utc), TODAY)
        comparison = compare(conn, DATES[1], datetime.now(timezone.utc), datetime.now(timezone.utc))
        table = non_enrolled_table(conn, comparison.comparison_id)
    wanted = Counter((region, reason) for kind, _, region, reason in
                     expected(ledger, numbers, register_rows(path), planted, DATES[1]) if kind == "not_enrolled")
    for row in table:
        assert row["total"] == sum(row[reason] for reason in REASONS)
        for reason in REASONS:
            assert row[reason] == wanted[(row["region"], reason)], (row["region"], reason)
    assert sum(row["total"] for row in table) == sum(wanted.values())
    assert sum(row["custody"] + row["military"] + row["management"] for row in table) > 0


def test_a_later_version_changes_only_the_comparisons_known_after_it_was_loaded(store, population, tmp_path):
    ledger, path, planted, numbers = population
    register = register_rows(path)
    with store.datastore.get_connection() as conn:
        first_loaded = datetime.now(timezone.utc)
        load_register(conn, path, "v1", first_loaded, TODAY)
        # v2: one more person, enrolled on the date, dead in the register since 2019-03-02.
        newly_dead = next(n for n in numbers if n in register and n not in planted.dead
                          and any(s.status == "1" for s in snapshot(ledger.person_history("01", n), DATES[1])))
        second = tmp_path / "register-v2.csv"
        with path.open(encoding="utf-8") as src, second.open("w", encoding="utf-8", newline="") as out:
            rows = list(csv.reader(src))
            for row in rows[1:]:
                if row[0] == newly_dead:
                    row[6], row[7] = DEAD, "20190302"
            csv.writer(out).writerows(rows)
        second_loaded = first_loaded + timedelta(seconds=10)
        load_register(conn, second, "v2", second_loaded, TODAY)

        between = compare(conn, DATES[1], first_loaded + timedelta(seconds=5), datetime.now(timezone.utc))
        after = compare(conn, DATES[1], second_loaded + timedelta(seconds=1), datetime.now(timezone.utc))
        before_findings, after_findings = found(conn, between.comparison_id), found(conn, after.comparison_id)
        held = conn.execute("SELECT r.tableoid::regclass::text AS partition, v.version_id, v.persons, count(*) AS n "
                            "FROM reference_person r JOIN reference_version v USING (version_id) "
                            "GROUP BY 1, 2, 3 ORDER BY 2").fetchall()
    # Each version is a partition of its own: a comparison reads only the one it names.
    assert [(h["partition"], h["n"]) for h in held] == [(version_table(h["version_id"]), h["persons"]) for h in held]
    assert len(held) == 2
    assert between.version == "v1" and after.version == "v2"
    assert before_findings == expected(ledger, numbers, register, planted, DATES[1])
    regions = {s.region for s in snapshot(ledger.person_history("01", newly_dead), DATES[1])
               if s.insurance_type in BASE_TYPES and s.status in "12"}
    assert after_findings - before_findings == {("death_unrecorded", newly_dead, r, None) for r in regions}
    assert before_findings <= after_findings


def test_a_register_row_with_a_control_character_or_an_overlong_address_is_refused_naming_the_cell(store, tmp_path):
    from tests.support.builders import resident_id

    path = tmp_path / "register.csv"
    good = resident_id(seq="901")
    path.write_text("公民身份号码,姓名,性别,出生日期,户籍地区划,户籍地址\n"
                    f"{good},张三,1,19850601,350102,鼓楼\n"
                    f"{resident_id(seq='903')},张\x07三,1,19850601,350102,鼓楼\n"
                    f"{resident_id(seq='905')},李四,1,19850601,350102,{'长' * 201}\n", encoding="utf-8")
    with store.datastore.get_connection() as conn:
        loaded = load_register(conn, path, "v-hostile", datetime.now(timezone.utc), TODAY)
    assert loaded.loaded == 1
    assert [(row, [e.field for e in errors]) for row, errors in loaded.refused] == [(3, ["name"]), (4, ["address"])]


def test_a_death_counts_as_unrecorded_from_the_day_after_it_only(store, population, tmp_path):
    """The edges of 'still enrolled after the death date': dead on the valid date itself is not yet."""
    ledger, _, _, numbers = population
    day = DATES[1]
    enrolled = [n for n in numbers if any(s.insurance_type in BASE_TYPES and s.status == "1"
                                          for s in snapshot(ledger.person_history("01", n), day))][:2]
    register = tmp_path / "edges.csv"
    with register.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["公民身份号码", "姓名", "性别", "出生日期", "户籍地区划", "人员状态", "状态日期"])
        for number, died in zip(enrolled, (day, day - timedelta(days=1)), strict=True):
            parsed, person = parse_resident_id(number, today=TODAY), ledger.person("01", number)
            out.writerow([number, person.name, parsed.gender, f"{parsed.birth_date:%Y%m%d}", "350102", DEAD,
                          f"{died:%Y%m%d}"])
    with store.datastore.get_connection() as conn:
        load_register(conn, register, "edges", datetime.now(timezone.utc), TODAY)
        comparison = compare(conn, day, datetime.now(timezone.utc), datetime.now(timezone.utc), "edges")
        deaths = {n for kind, n, *_ in found(conn, comparison.comparison_id) if kind == "death_unrecorded"}
    assert deaths == {enrolled[1]}, "dead the day before the valid date: listed; dead on it: not yet"


def test_a_comparison_known_before_a_name_correction_compares_the_name_the_ledger_had_then(store, population):
    ledger, path, planted, numbers = population
    register = register_rows(path)
    day = DATES[1]
    agreeing = {number for kind, number, *_ in expected(ledger, numbers, register, planted, day)}
    corrected = next(n for n in numbers if n in register and n not in agreeing and any(
        s.insurance_type in BASE_TYPES and s.status == "1" for s in snapshot(ledger.person_history("01", n), day)))
    old_name = ledger.person("01", corrected).name
    with store.datastore.get_connection() as conn:
        load_register(conn, path, "v1", datetime.now(timezone.utc), TODAY)
    before_correction = datetime.now(timezone.utc)
    office = Actor(kind="office", id="clerk-1", region="350000")
    ledger.execute(cmd.CorrectBaseInfo(effective=date(2026, 11, 1), id_number=corrected, changes={"name": "更正后"}),
                   cmd.Context(command_id=uuid4(), actor=office, channel="office", now=datetime.now(timezone.utc),
                               evidence=("户籍证明",)))
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    with store.datastore.get_connection() as conn:
        then = compare(conn, day, before_correction, datetime.now(timezone.utc))
        now = compare(conn, day, datetime.now(timezone.utc), datetime.now(timezone.utc))
        listed_then = [r for r in findings(conn, then.comparison_id, "mismatch", "", None, 1_000_000)
                       if r["id_number"] == corrected]
        listed_now = [r for r in findings(conn, now.comparison_id, "mismatch", "", None, 1_000_000)
                      if r["id_number"] == corrected]
    assert listed_then == [], "as known before the correction the name agreed with the register"
    assert listed_now and all(r["name"] == "更正后" and r["detail"] == f"人口库姓名为{old_name}" for r in listed_now)


def test_pages_of_findings_read_in_turn_give_each_finding_of_the_kind_and_region_asked_once_in_order(
        store, population):
    _, path, _, _ = population
    with store.datastore.get_connection() as conn:
        load_register(conn, path, "v1", datetime.now(timezone.utc), TODAY)
        comparison = compare(conn, DATES[0], datetime.now(timezone.utc), datetime.now(timezone.utc)).comparison_id
        every = findings(conn, comparison, None, "", None, 1_000_000)

        def key(row):
            return row["kind"], row["region"], row["id_number"]

        assert [key(r) for r in every] == sorted(key(r) for r in every) and len(every) > 20
        for kind in (None, *KINDS):
            for prefix in ("", *sorted({r["region"][:4] for r in every}), "99"):
                paged, after = [], None
                while rows := findings(conn, comparison, kind, prefix, after, 7):
                    paged += rows[:7]
                    if len(rows) <= 7:
                        break
                    after = key(rows[6])
                assert paged == [r for r in every if kind in (None, r["kind"]) and r["region"].startswith(prefix)]


def test_a_comparison_without_a_system_time_is_known_at_the_last_recording_though_the_clock_reads_earlier(
        store, population):
    _, path, _, _ = population
    long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
    with store.datastore.get_connection() as conn:
        load_register(conn, path, "v1", long_ago, TODAY)
        last = scans.last_recorded(conn)
        as_it_stands = compare(conn, DATES[1], None, long_ago)
        assert as_it_stands.known_at == last
        assert as_it_stands.counts == compare(conn, DATES[1], last, long_ago).counts
        before_any = compare(conn, DATES[1], long_ago, long_ago).counts  # known in 2000: no one enrolled yet
        assert before_any["not_in_register"] == before_any["mismatch"] == 0 < as_it_stands.counts["not_in_register"]


def test_a_comparison_in_the_callers_transaction_gives_back_the_settings_the_caller_had(store, population):
    _, path, _, _ = population
    settings = "SELECT current_setting('work_mem') AS w, current_setting('parallel_tuple_cost') AS p"
    with store.datastore.get_connection() as conn, conn.transaction():
        load_register(conn, path, "v1", datetime.now(timezone.utc), TODAY)
        conn.execute("SET LOCAL work_mem = '7MB'")
        conn.execute("SET LOCAL parallel_tuple_cost = 0.5")
        compare(conn, DATES[1], datetime.now(timezone.utc), datetime.now(timezone.utc))
        assert conn.execute(settings).fetchone() == {"w": "7MB", "p": "0.5"}


def test_while_a_register_version_loads_the_versions_before_it_can_be_read(store, population, empty_database):
    _, path, _, _ = population
    with store.datastore.get_connection() as loading:
        load_register(loading, path, "v1", datetime.now(timezone.utc), TODAY)
        with loading.transaction(force_rollback=True):  # v2 loaded, attached, not yet committed
            load_register(loading, path, "v2", datetime.now(timezone.utc), TODAY)
            with psycopg.connect(empty_database) as reader:
                reader.execute("SET lock_timeout = '2s'")  # a lock held for the load would time out here
                assert reader.execute("SELECT count(*) FROM reference_person WHERE version_id = 1").fetchone()[0] > 0


@contextmanager
def register_loaded(store, path: Path) -> Iterator[tuple[psycopg.Connection, datetime]]:
    """A connection with the generated register loaded as version v1, and the time it was loaded."""
    now = datetime.now(timezone.utc)
    with store.datastore.get_connection() as conn:
        load_register(conn, path, "v1", now, TODAY)
        yield conn, now


def test_two_persons_believed_to_hold_one_id_number_in_one_region_give_its_findings_once(store, population):
    with register_loaded(store, population[1]) as (conn, now):
        alone = compare(conn, DATES[1], now, now)
        # Persons the ledger knew under others' ID numbers until a correction or a merge (which the
        # enrollments projection then rows apart): here each enrolled person copied to another.
        conn.execute("INSERT INTO enrolled_identity SELECT gen_random_uuid(), region, id_number, name, gender, "
                     "birth_date, household_region, valid_from, valid_to, recorded_from, recorded_to "
                     "FROM enrolled_identity")
        twice = compare(conn, DATES[1], now, now)
        assert twice.counts == alone.counts
        assert found(conn, twice.comparison_id) == found(conn, alone.comparison_id)


def test_each_not_enrolled_is_listed_with_the_address_its_register_version_gives(store, population, tmp_path):
    path = population[1]
    with register_loaded(store, path) as (conn, now):
        comparison = compare(conn, DATES[1], now, now)
        moved = tmp_path / "moved.csv"  # a later version, where everyone lives elsewhere
        moved.write_text(path.read_text(encoding="utf-8").replace("某街道", "另一街道"), encoding="utf-8")
        load_register(conn, moved, "v2", now + timedelta(seconds=1), TODAY)
        listed = findings(conn, comparison.comparison_id, "not_enrolled", "", None, 1_000_000)
        register = register_rows(path)
        assert [r for r in listed if r["detail"] != register[r["id_number"]]["户籍地址"]] == []
        assert listed and not any("另一街道" in r["detail"] for r in listed)


def test_a_comparison_leaves_the_planner_a_count_of_its_findings(store, population):
    with register_loaded(store, population[1]) as (conn, now):
        comparison = compare(conn, DATES[1], now, now)
        kept = conn.execute("SELECT reltuples FROM pg_class WHERE relname = %s",
                            (findings_table(comparison.comparison_id),)).fetchone()["reltuples"]
        assert kept == sum(comparison.counts.values()) > 0
