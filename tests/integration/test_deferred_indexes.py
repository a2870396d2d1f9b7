"""A rebuild builds the read models' indexes once over the loaded rows, and leaves them exactly
as the migrations made them; a load that breaks a key changes nothing."""

from __future__ import annotations

import psycopg
import pytest

from demo.population import write_extract
from importer.bulk import import_extract
from projections.catalog import PROJECTIONS
from projections.deferred_indexes import indexes_deferred
from projections.runner import ProjectionRunner, own_tables
from tests.support.views import tables_by_fold, tables_now

TABLES = own_tables(PROJECTIONS)


def schema_of(datastore) -> dict[str, list[tuple]]:
    """Every index and key of the read models' tables, as PostgreSQL would make them again."""
    with datastore.get_connection() as conn:
        indexes = conn.execute("SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS made "
                               "FROM pg_index WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1", (TABLES,)).fetchall()
        keys = conn.execute("SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS made "
                            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                            (TABLES,)).fetchall()
    return {"indexes": [tuple(r.values()) for r in indexes], "keys": [tuple(r.values()) for r in keys]}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_leaves_every_index_and_key_of_the_read_models_as_the_migrations_made_them(
        store, empty_database, tmp_path, workers):
    made = schema_of(store.datastore)
    assert len(made["indexes"]) > len(TABLES) and made["keys"], "the read models have indexes and keys to keep"
    write_extract(tmp_path / "extract.csv", persons=150, seed=4)
    import_extract(store.datastore, tmp_path / "extract.csv", conninfo=empty_database, workers=1)
    ProjectionRunner(store.datastore, empty_database, workers=workers).rebuild(list(PROJECTIONS), share_from=0)
    assert schema_of(store.datastore) == made
    assert tables_now(store.datastore) == tables_by_fold(store.datastore)


def test_a_load_that_breaks_a_key_leaves_the_rows_their_indexes_and_keys_as_they_were(store, empty_database):
    kept = ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-00000000000a")
    twice = ("00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-00000000000b")
    add = "INSERT INTO fake_removal (person_id, enrollment_id, recorded_at) VALUES (%s, %s, now())"
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute(add, kept)
    made = schema_of(store.datastore)
    with pytest.raises(psycopg.errors.UniqueViolation):
        with psycopg.connect(empty_database) as conn, conn.transaction():
            conn.execute("TRUNCATE fake_removal")
            with indexes_deferred(conn, ["fake_removal"]):
                assert not conn.execute("SELECT FROM pg_index WHERE indrelid = 'fake_removal'::regclass").fetchall()
                conn.execute(add, twice)
                conn.execute(add, twice)  # the same key again: taken while loading, refused once the key is made
    assert schema_of(store.datastore) == made
    with psycopg.connect(empty_database) as conn:
        assert [tuple(map(str, r)) for r in conn.execute("SELECT person_id, enrollment_id FROM fake_removal")] == [kept]


def test_a_key_another_table_points_at_is_kept_while_loading_and_the_rest_deferred(store, empty_database):
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE scratch_pointer (person_id uuid, enrollment_id uuid, "
                     "FOREIGN KEY (person_id, enrollment_id) REFERENCES fake_removal)")
        conn.execute("CREATE INDEX fake_removal_recorded ON fake_removal (recorded_at)")
    made = schema_of(store.datastore)
    with psycopg.connect(empty_database) as conn, conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '100MB'")
        with indexes_deferred(conn, ["fake_removal"]):
            kept = conn.execute("SELECT indexrelid::regclass::text FROM pg_index "
                                "WHERE indrelid = 'fake_removal'::regclass").fetchall()
            assert kept == [("fake_removal_pkey",)], "the key the foreign key needs stays; the other index waits"
        assert conn.execute("SHOW maintenance_work_mem").fetchone() == ("100MB",), "the caller's setting is back"
    assert schema_of(store.datastore) == made
