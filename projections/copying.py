"""Rows into the read models' tables by binary COPY, each value encoded as its column's type.

Binary is the cheaper form to make in Python: a UUID is its 16 bytes, a date a number, where
text asks for each value's printed form. Measured in a rebuild worker on the rows of 213,530
events: 8.4 µs an event as text, 3.4 as binary, of some 45 µs of Python an event in all. Binary
needs each column's type said, so the types are read from PostgreSQL's catalog: the migrations
stay their one home. A value of another type than its column's is refused as it is encoded.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from psycopg import Copy, sql
from psycopg.copy import FileWriter
from psycopg.rows import tuple_row

Types = list[int]  # the type oids of a table's columns, in the order its rows list them


def copy_statement(table: str, columns: Iterable[str]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))


def column_types(conn: Any, table: str, columns: Sequence[str]) -> Types:
    """The types of `columns` of `table`, as PostgreSQL's catalog has them now."""
    with conn.cursor(row_factory=tuple_row) as curs:
        found = dict(curs.execute("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
                                  "AND attnum > 0 AND NOT attisdropped", (table,)).fetchall())
    missing = [c for c in columns if c not in found]
    if missing:
        raise LookupError(f"{table} has no column {', '.join(missing)}: is the database migrated?")
    return [found[c] for c in columns]


class ColumnTypes:
    """Each table's column types, asked of the catalog the first time a table is written: one
    per runner (which outlives a server's migrations) and one per rebuild worker."""

    def __init__(self) -> None:
        self.known: dict[str, Types] = {}

    def of(self, conn: Any, table: str, columns: Sequence[str]) -> Types:
        types = self.known.get(table)
        if types is None:
            types = self.known[table] = column_types(conn, table, columns)
        return types


def copy_rows(curs: Any, table: str, columns: Sequence[str], types: Types, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with curs.copy(copy_statement(table, columns)) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # the signature, no flags, no header extension
BINARY_TRAILER = b"\xff\xff"


class Batches:
    """The binary COPY data of several chunks of a table's rows, written by one COPY once they add
    up to `limit` bytes (or at the end). A rebuild writes into tables it emptied in its own
    transaction; PostgreSQL then skips their free-space map, so each COPY statement extends a
    table by many pages at once and leaves those it did not fill empty for good: one COPY for each
    worker's chunk of ~10,000 spells left 61 empty pages after every 215 (28% of the table)."""

    def __init__(self, write: Any, columns: Mapping[str, Sequence[str]], limit: int = 16 << 20) -> None:
        self.write, self.columns, self.limit = write, columns, limit
        self.pending: dict[str, list[bytes]] = {}

    def add(self, table: str, payload: bytes) -> None:
        if not (payload.startswith(BINARY_HEADER) and payload.endswith(BINARY_TRAILER)):
            raise ValueError(f"not the data of one binary COPY (rows of {table})")
        chunks = self.pending.setdefault(table, [])
        chunks.append(payload)
        if sum(map(len, chunks)) >= self.limit:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        """Write the chunks of `table` (of every table if None)."""
        for name in [table] if table else list(self.pending):
            chunks = self.pending.pop(name, [])
            if not chunks:
                continue
            with self.write.cursor().copy(copy_statement(name, self.columns[name])) as copy:
                copy.write(BINARY_HEADER)
                for payload in chunks:
                    copy.write(memoryview(payload)[len(BINARY_HEADER):-len(BINARY_TRAILER)])
                copy.write(BINARY_TRAILER)


def encoded(cursor: Any, types: Types, rows: list[tuple[Any, ...]]) -> bytes:
    """Rows as the data of one binary COPY (header to trailer), made without a COPY running:
    what a rebuild's worker processes hand to the one that writes."""
    buffer = io.BytesIO()
    with Copy(cursor, binary=True, writer=FileWriter(buffer)) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
    return buffer.getvalue()
