"""A rebuild loads its tables whole: their indexes are built once over the loaded rows rather
than kept up row by row (PostgreSQL's own advice for populating a table).

Measured at 725,000 persons (1.7 million events): COPYing the derived rows of enrollment_spell,
current_enrollment, person_view, anomaly and duplicate_set into tables with their indexes took
28.1 s — three times the 9.7 s of reading the log in order — and 11.2 s into bare tables with
the same indexes built afterwards. Kept up row by row, each random UUID key and each text key of
every row touches a leaf page the buffer pool has already evicted.

Everything happens inside the rebuild's one transaction, which already holds the tables
exclusively (TRUNCATE): a rebuild that fails, a duplicate key included, leaves the tables,
their indexes and their constraints as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg import sql
from psycopg.rows import tuple_row

from projections.local_settings import settings_for

# The keys a constraint owns (primary key, unique, exclusion) go with their constraint; the other
# indexes on their own. Each with the statement that makes it again exactly as it was. A key that
# a foreign key points at stays (it could not be dropped), and so does every index some constraint
# uses.
CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('p', 'u', 'x')
  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
ORDER BY 1, 2
"""
INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%(tables)s::regclass[])
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


@contextmanager
def indexes_deferred(conn: Any, tables: list[str]) -> Iterator[None]:
    """Within the caller's transaction, on emptied tables: their indexes and keys dropped while
    the body loads them, then made again (a key the loaded rows break raises, and the caller's
    transaction rolls everything back)."""
    with conn.cursor(row_factory=tuple_row) as curs:
        names = {"tables": tables}
        constraints = curs.execute(CONSTRAINTS, names).fetchall()
        indexes = curs.execute(INDEXES, names).fetchall()
        for index, _ in indexes:
            curs.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))
        for table, name, _ in constraints:
            curs.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
    yield
    # Each index is sorted once over all its rows: give the sort room (64 MB by default).
    with settings_for(conn, maintenance_work_mem="256MB"), conn.cursor(row_factory=tuple_row) as curs:
        for table, name, definition in constraints:
            curs.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)))
        for _, definition in indexes:
            curs.execute(sql.SQL(definition))
