from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg.rows import dict_row

from canbao.migrations import MIGRATIONS_DIR, MigrationEdited, apply_migrations, discover
from importer.register_file import version_table
from projections.register_comparison import findings, findings_table


def tables(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return {name for (name,) in rows}


def test_migrations_apply_in_order_on_an_empty_database(empty_database):
    applied = apply_migrations(empty_database)
    assert applied == [m.name for m in discover()]
    assert "command_log" in tables(empty_database)


def test_a_second_run_changes_nothing(empty_database):
    apply_migrations(empty_database)
    with psycopg.connect(empty_database) as conn:
        before = conn.execute("SELECT version, checksum, applied_at FROM schema_migrations").fetchall()
    assert apply_migrations(empty_database) == []
    with psycopg.connect(empty_database) as conn:
        after = conn.execute("SELECT version, checksum, applied_at FROM schema_migrations").fetchall()
    assert after == before


def test_an_applied_migration_that_was_edited_is_refused(empty_database, tmp_path: Path):
    for source in MIGRATIONS_DIR.glob("*.sql"):
        (tmp_path / source.name).write_text(source.read_text())
    apply_migrations(empty_database, tmp_path)
    first = sorted(tmp_path.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationEdited, match=first.name):
        apply_migrations(empty_database, tmp_path)


def test_a_new_migration_is_applied_after_the_existing_ones(empty_database, tmp_path: Path):
    for source in MIGRATIONS_DIR.glob("*.sql"):
        (tmp_path / source.name).write_text(source.read_text())
    apply_migrations(empty_database, tmp_path)
    (tmp_path / "9999_extra_table.sql").write_text("CREATE TABLE extra (id int);")
    assert apply_migrations(empty_database, tmp_path) == ["9999_extra_table.sql"]
    assert "extra" in tables(empty_database)


def test_the_findings_of_earlier_comparisons_move_to_a_partition_each_and_keep_their_key(empty_database,
                                                                                          tmp_path: Path):
    for source in MIGRATIONS_DIR.glob("*.sql"):
        if source.name < "0022":
            (tmp_path / source.name).write_text(source.read_text())
    apply_migrations(empty_database, tmp_path)
    finding = "INSERT INTO register_finding VALUES (%s, 'mismatch', '110101199003070011', '张三', '110101', " \
              "NULL, NULL, NULL, '人口库姓名为张叁')"
    with psycopg.connect(empty_database) as conn:
        conn.execute("INSERT INTO reference_version (name, source, loaded_at, persons) VALUES ('v1', 'f', now(), 1)")
        comparisons = [uuid4(), uuid4()]
        for comparison in comparisons:
            conn.execute("INSERT INTO register_comparison VALUES (%s, 1, '2020-01-01', now(), now())", (comparison,))
            conn.execute(finding, (comparison,))
    assert apply_migrations(empty_database)[0] == "0022_register_finding_per_comparison.sql"
    with psycopg.connect(empty_database) as conn:
        kept = conn.execute("SELECT comparison_id, tableoid::regclass::text, detail FROM register_finding").fetchall()
        assert sorted(kept) == sorted((c, findings_table(c), "人口库姓名为张叁") for c in comparisons)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(finding, (comparisons[0],))


def before(name: str, conninfo: str, tmp_path: Path) -> None:
    """The schema as the migrations before `name` left it."""
    for source in MIGRATIONS_DIR.glob("*.sql"):
        if source.name < name:
            (tmp_path / source.name).write_text(source.read_text())
    apply_migrations(conninfo, tmp_path)


def tracking(conn: psycopg.Connection, **positions: int) -> None:
    """The projections' positions, as eventsourcing's tracking table keeps them."""
    conn.execute("CREATE TABLE projection_tracking (application_name text, notification_id bigint)")
    for name, position in positions.items():
        conn.execute("INSERT INTO projection_tracking VALUES (%s, %s)", (name, position))


PERSON = "INSERT INTO person_view VALUES (%s, '01', %s, %s, '1', NULL, '1', false)"
SET = ("INSERT INTO duplicate_set VALUES (%s, 'cross_scheme', gen_random_uuid(), gen_random_uuid(), '350102', "
       "'350203', '390', '310', '2016-01-01')")


def test_duplicate_sets_take_their_persons_id_number_and_name_and_nothing_is_derived_again(empty_database,
                                                                                           tmp_path: Path):
    before("0023", empty_database, tmp_path)
    person = uuid4()
    with psycopg.connect(empty_database) as conn:
        tracking(conn, duplicates=42)
        conn.execute(PERSON, (person, "350102198003011915", "林·𠀋"))
        conn.execute(SET, (person,))
    apply_migrations(empty_database)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT id_number, name FROM duplicate_set").fetchall() == [("350102198003011915", "林·𠀋")]
        assert conn.execute("SELECT notification_id FROM projection_tracking").fetchall() == [(42,)]


def test_duplicate_sets_ahead_of_their_persons_are_derived_again_from_the_first_event(empty_database,
                                                                                     tmp_path: Path):
    before("0023", empty_database, tmp_path)
    person, not_yet_in_person_view = uuid4(), uuid4()
    with psycopg.connect(empty_database) as conn:
        tracking(conn, duplicates=42, enrollments=40)
        conn.execute(PERSON, (person, "350102198003011915", "林"))
        conn.execute(SET, (person,))
        conn.execute(SET, (not_yet_in_person_view,))
    before("0024", empty_database, tmp_path)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT count(*) FROM duplicate_set").fetchone() == (0,)
        assert conn.execute("SELECT application_name FROM projection_tracking").fetchall() == [("enrollments",)]


def test_the_findings_kept_before_are_keyed_by_their_place_and_still_refuse_a_second_of_one_key(
        empty_database, tmp_path: Path):
    before("0024", empty_database, tmp_path)
    comparison = uuid4()
    own = findings_table(comparison)
    finding = f"INSERT INTO {own} VALUES (%s, %s, %s, '张三', %s, NULL, NULL, NULL, '')"
    with psycopg.connect(empty_database) as conn:
        conn.execute("INSERT INTO reference_version (name, source, loaded_at, persons) VALUES ('v1', 'f', now(), 1)")
        conn.execute("INSERT INTO register_comparison VALUES (%s, 1, '2020-01-01', now(), now())", (comparison,))
        conn.execute(f"CREATE TABLE {own} PARTITION OF register_finding FOR VALUES IN ('{comparison}')")
        conn.execute(f"CREATE UNIQUE INDEX {own}_key ON {own} (kind, region, id_number)")
        for kind, number, region in (("mismatch", "110101199003070011", "350102"),
                                     ("death_unrecorded", "110101199003070011", "350102"),
                                     ("mismatch", "110101199003070011", "350203")):
            conn.execute(finding, (comparison, kind, number, region))
    assert apply_migrations(empty_database)[0] == "0024_register_finding_place.sql"
    with psycopg.connect(empty_database, row_factory=dict_row) as conn:
        index = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (f"{own}_key",)).fetchone()
        assert "kind || ' '::text" in index["indexdef"] and "UNIQUE" in index["indexdef"]
        assert [(r["kind"], r["region"]) for r in findings(conn, comparison, None, "", None, 10)] == [
            ("death_unrecorded", "350102"), ("mismatch", "350102"), ("mismatch", "350203")]
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(finding, (comparison, "mismatch", "110101199003070011", "350203"))


def test_the_register_versions_kept_before_move_to_a_partition_each_and_keep_their_key(empty_database, tmp_path):
    before("0025", empty_database, tmp_path)
    person = ("INSERT INTO reference_person VALUES (%s, '350102198003011915', '林', '1', '1980-03-01', '350102', "
              "NULL, '1', NULL, NULL)")
    with psycopg.connect(empty_database) as conn:
        for name in ("v1", "v2"):
            conn.execute("INSERT INTO reference_version (name, source, loaded_at, persons) VALUES (%s, 'f', now(), 1)",
                         (name,))
        conn.execute(person, (1,))
        conn.execute(person, (2,))
    assert apply_migrations(empty_database)[0] == "0025_reference_person_per_version.sql"
    with psycopg.connect(empty_database) as conn:
        kept = conn.execute("SELECT version_id, tableoid::regclass::text FROM reference_person").fetchall()
        assert sorted(kept) == [(1, version_table(1)), (2, version_table(2))]
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(person, (2,))


def test_who_was_enrolled_is_derived_from_the_first_event_with_the_rest_of_the_enrollments_projection(
        empty_database, tmp_path: Path):
    before("0026", empty_database, tmp_path)
    person = uuid4()
    with psycopg.connect(empty_database) as conn:
        tracking(conn, enrollments=40, duplicates=42)
        conn.execute(PERSON, (person, "350102198003011915", "林"))
    apply_migrations(empty_database)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT count(*) FROM person_view").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM enrolled_identity").fetchone() == (0,)
        assert conn.execute("SELECT application_name FROM projection_tracking").fetchall() == [("duplicates",)]
