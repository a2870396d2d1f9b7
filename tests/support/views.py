"""Read whole projection tables, and compute what they should hold by folding the events."""

from __future__ import annotations

from eventlog.tables import EVENTS_TABLE
from projections.catalog import PROJECTIONS, rows_for
from projections.runner import to_streams

TABLES = [t for p in PROJECTIONS for t in p.tables]


def normalised(rows) -> list[tuple]:
    return sorted((tuple(r) for r in rows), key=repr)


def tables_now(datastore) -> dict[str, list[tuple]]:
    with datastore.get_connection() as conn:
        return {t.name: normalised(tuple(r[c] for c in t.columns) for r in
                                   conn.execute(f"SELECT * FROM {t.name}").fetchall()) for t in TABLES}


def tables_by_fold(datastore) -> dict[str, list[tuple]]:
    """What every table must hold: the pure row functions applied to every stream."""
    out: dict[str, list[tuple]] = {t.name: [] for t in TABLES}
    with datastore.get_connection() as conn:
        rows = conn.execute(f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
                            "ORDER BY originator_id, originator_version").fetchall()
    for stream in to_streams(rows):
        for projection in PROJECTIONS:
            for name, table_rows in rows_for(projection, stream).items():
                out[name].extend(table_rows)
    return {name: normalised(rows) for name, rows in out.items()}


def reset(datastore) -> None:
    with datastore.get_connection() as conn:
        conn.execute(f"TRUNCATE {EVENTS_TABLE}, command_log, projection_tracking, "
                     + ", ".join(t.name for t in TABLES))
