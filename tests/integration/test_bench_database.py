"""The bench's throwaway database: prepared the way `canbao bench` prepares it."""

import psycopg

from bench.run import without_autovacuum
from canbao.migrations import apply_migrations


def test_the_bench_turns_autovacuum_off_on_every_table_of_a_migrated_database(empty_database):
    apply_migrations(empty_database)
    without_autovacuum(empty_database)
    with psycopg.connect(empty_database) as conn:
        still_on = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
            "AND NOT coalesce('autovacuum_enabled=false' = ANY(reloptions), false)").fetchall()
    assert still_on == []
