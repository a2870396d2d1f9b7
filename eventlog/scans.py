"""The reads of the stored log that other packages need, as plain SQL behind functions.

Long scans use a server-side (named) cursor so memory stays flat however long the log is.
Rows are dicts with the recorder's column names (`notification_id`, `originator_id`,
`originator_version`, `topic`, `state`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any
from uuid import UUID

from domain.timeline import RecordedEvent
from eventlog.codec import decode
from eventlog.tables import COMMAND_LOG_TABLE, EVENTS_TABLE

Row = dict[str, Any]
STREAM_COLUMNS = "originator_id, originator_version, topic, state"
ITERSIZE = 5_000


def server_side(conn: Any, query: str, params: tuple[Any, ...] = (), name: str = "canbao_scan",
                itersize: int = ITERSIZE) -> Iterator[Row]:
    """Stream a query's rows from the server in chunks of `itersize`."""
    with conn.cursor(name=name) as cursor:
        cursor.itersize = itersize
        cursor.execute(query, params)
        yield from cursor


def export_snapshot(conn: Any) -> str:
    """The id of the caller's repeatable-read snapshot, for other connections to read the same log."""
    row = conn.execute("SELECT pg_export_snapshot() AS id").fetchone()
    return str(row["id"])


def head(conn: Any) -> int:
    """The last notification id written (0 for an empty log)."""
    row = conn.execute(f"SELECT coalesce(max(notification_id), 0) AS head FROM {EVENTS_TABLE}").fetchone()
    return int(row["head"])


def last_recorded(conn: Any) -> datetime | None:
    """The system time of the last command recorded (None for an empty log)."""
    row = conn.execute(f"SELECT max(recorded_at) AS at FROM {COMMAND_LOG_TABLE}").fetchone()
    at: datetime | None = row["at"]
    return at


def head_and_count(conn: Any) -> tuple[int, int]:
    row = conn.execute(f"SELECT coalesce(max(notification_id), 0) AS head, count(*) AS n "
                       f"FROM {EVENTS_TABLE}").fetchone()
    return int(row["head"]), int(row["n"])


def by_stream(conn: Any, upto: int | None = None, low: UUID | None = None, high: UUID | None = None,
              name: str = "canbao_scan") -> Iterator[Row]:
    """The log (up to notification `upto`), stream by stream in version order; `low` and
    `high` narrow it to the stream ids in [low, high)."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if upto is not None:
        where.append("notification_id <= %s")
        params.append(upto)
    if low is not None:
        where.append("originator_id >= %s")
        params.append(low)
    if high is not None:
        where.append("originator_id < %s")
        params.append(high)
    query = (f"SELECT {STREAM_COLUMNS} FROM {EVENTS_TABLE} WHERE {' AND '.join(where)} "
             "ORDER BY originator_id, originator_version")
    return server_side(conn, query, tuple(params), name)


def by_stream_after(conn: Any, after: int, upto: int, name: str = "canbao_scan") -> Iterator[Row]:
    """The events after notification `after` up to `upto`, stream by stream in version order."""
    return server_side(conn, f"SELECT {STREAM_COLUMNS} FROM {EVENTS_TABLE} WHERE notification_id > %s "
                             "AND notification_id <= %s ORDER BY originator_id, originator_version", (after, upto),
                       name)


def in_order(conn: Any, after: int = 0, upto: int | None = None, name: str = "canbao_scan") -> Iterator[Row]:
    """The log after notification `after` (up to `upto`), in notification order."""
    bound = "AND notification_id <= %s" if upto is not None else ""
    params = (after, upto) if upto is not None else (after,)
    return server_side(conn, f"SELECT notification_id, {STREAM_COLUMNS} FROM {EVENTS_TABLE} "
                             f"WHERE notification_id > %s {bound} ORDER BY notification_id", params, name,
                       itersize=10_000)


def first_stored(conn: Any, limit: int) -> list[Row]:
    """(topic, state) of the first `limit` events of the log, in notification order."""
    return list(conn.execute(f"SELECT topic, state FROM {EVENTS_TABLE} ORDER BY notification_id LIMIT %s",
                             (limit,)).fetchall())


def notifications_after(curs: Any, position: int, limit: int) -> list[Row]:
    """(notification_id, originator_id, topic) of the next `limit` events after `position`."""
    return list(curs.execute(
        f"SELECT notification_id, originator_id, topic FROM {EVENTS_TABLE} WHERE notification_id > %s "
        "ORDER BY notification_id LIMIT %s", (position, limit)).fetchall())


def streams_rows(curs: Any, stream_ids: list[UUID], upto: int | None = None) -> list[Row]:
    """Every stored row of these streams (up to notification `upto`), stream by stream."""
    bound = "AND notification_id <= %s" if upto is not None else ""
    params: tuple[Any, ...] = (stream_ids, upto) if upto is not None else (stream_ids,)
    return list(curs.execute(
        f"SELECT {STREAM_COLUMNS} FROM {EVENTS_TABLE} WHERE originator_id = ANY(%s) {bound} "
        "ORDER BY originator_id, originator_version", params).fetchall())


@dataclass(frozen=True)
class Unreadable:
    """A stream with a stored row that no longer decodes (its bytes were changed, or a version
    of the ledger that wrote it is unknown here): readers set it aside instead of stopping."""

    kind: str  # the topic prefix of its first row ("person", "unit", …), readable where the state is not
    problem: str


def to_streams(rows: Iterable[Row]) -> Iterator[tuple[UUID, list[RecordedEvent] | Unreadable]]:
    """Group stored rows (ordered by stream and version) into decoded stream histories, or an
    Unreadable for a stream one of whose rows does not decode."""
    for stream_id, group in groupby(rows, key=lambda r: r["originator_id"]):
        history: list[RecordedEvent] = []
        failed: Unreadable | None = None
        for r in group:
            if failed is not None:
                continue  # the rest of this stream's rows
            try:
                event, meta = decode(r["topic"], bytes(r["state"]))
            except Exception as unreadable:  # noqa: BLE001 — any stored bytes may have been altered
                failed = Unreadable(r["topic"].split(".", 1)[0], f"version {r['originator_version']} cannot be read "
                                    f"({type(unreadable).__name__}: {unreadable})")
                continue
            history.append(RecordedEvent(stream_id, r["originator_version"], event, meta))
        yield stream_id, failed if failed is not None else history


def logged_commands(curs: Any, command_ids: list[UUID]) -> set[UUID]:
    """Which of `command_ids` the command log already holds: commands recorded before."""
    rows = curs.execute(f"SELECT command_id FROM {COMMAND_LOG_TABLE} WHERE command_id = ANY(%s)",
                        (command_ids,)).fetchall()
    return {r["command_id"] for r in rows}
