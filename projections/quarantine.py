"""Poison events: one stream that cannot be derived never stops a projection.

Deriving a stream's rows either gives rows for every table of the projection, or — when a
row function fails on its history, or a row holds a value PostgreSQL would refuse (NUL in
text, as an older version may have stored) — a quarantine row instead. The quarantine is
written like any other table of the projection, so catch-up and rebuild (in one process or
in workers) treat it the same way; the stream's earlier rows stay served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from projections.catalog import Projection, Table, rows_for
from projections.person_rows import Row, StreamHistory

QUARANTINE_TABLE = "projection_quarantine"
QUARANTINE_COLUMNS = ("projection", "stream_id", "position", "error")
MAX_ERROR = 500


def _no_rows(_: StreamHistory) -> list[Row]:
    return []


QUARANTINE = Table(QUARANTINE_TABLE, "stream_id", QUARANTINE_COLUMNS, _no_rows)


def tables_of(projections: Iterable[Projection]) -> list[Table]:
    """Every table the projections write, the quarantine last."""
    return [*(t for p in projections for t in p.tables), QUARANTINE]


def refused_value(tables: Iterable[list[Row]]) -> str | None:
    """A value PostgreSQL would refuse in these tables' rows, described, or None."""
    for rows in tables:
        for row in rows:
            for value in row:
                if type(value) is str and "\x00" in value:
                    return "a text value holds NUL (U+0000), which PostgreSQL does not store"
    return None


def derive(projection: Projection, stream: StreamHistory, position: int) -> dict[str, list[Row]]:
    """The stream's rows for each table of `projection`, or only its quarantine row."""
    problem = stream.unreadable
    if problem is None:
        try:
            derived = rows_for(projection, stream)
            problem = refused_value(derived.values())
        except Exception as failed:  # noqa: BLE001 — any failure of one stream is that stream's, not the runner's
            problem = f"{type(failed).__name__}: {failed}"
    if problem is None:
        return {**derived, QUARANTINE_TABLE: []}
    row = (projection.name, stream.stream_id, position, problem[:MAX_ERROR])
    return {**{t.name: [] for t in projection.tables}, QUARANTINE_TABLE: [row]}


@dataclass(frozen=True)
class Quarantined:
    projection: str
    stream_id: UUID
    position: int
    error: str


def quarantined(conn: Any, projections: Iterable[str] | None = None) -> list[Quarantined]:
    names = list(projections) if projections is not None else None
    rows = conn.execute(
        f"SELECT projection, stream_id, position, error FROM {QUARANTINE_TABLE} "
        "WHERE %(names)s::text[] IS NULL OR projection = ANY(%(names)s) ORDER BY projection, quarantined_at",
        {"names": names}).fetchall()
    return [Quarantined(r["projection"], r["stream_id"], r["position"], r["error"]) for r in rows]


def quarantine_size(conn: Any) -> int:
    row = conn.execute(f"SELECT count(*) AS n FROM {QUARANTINE_TABLE}").fetchone()
    return int(row["n"])
