"""Keep the read models in step with the event log, exactly once.

Catch-up reads the log after a projection's tracked position in batches. For each batch it
refolds every stream the batch touched, using that stream's events up to the batch's last
position, replaces those streams' rows, and moves the tracking position — all in one
transaction. Replacing a stream's rows as a whole makes a repeated batch harmless, and the
shared transaction makes a crashed batch leave nothing behind.

Rebuild reads the whole log once, in stream order, inside one repeatable-read snapshot,
and writes the tables with COPY in one transaction: memory stays flat, and a rebuild that
dies leaves the previous tables in place.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import sql

from eventlog import scans
from eventlog.collector import collect_batch, collector_paused
from eventlog.tables import one_creator_at_a_time
from projections.catalog import Projection, Table
from projections.copying import ColumnTypes, copy_rows
from projections.deferred_indexes import indexes_deferred
from projections.person_rows import Row, StreamHistory
from projections.quarantine import QUARANTINE, QUARANTINE_TABLE, derive, quarantined, tables_of
from projections.rebuild_shares import write_shares

log = logging.getLogger(__name__)
TRACKING_TABLE = "projection_tracking"
Progress = Callable[[int, int], None]  # (events done, events in total)
FLUSH_ROWS = 20_000
SHARE_FROM_EVENTS = 20_000  # below this, starting worker processes (~1 s) costs more than it saves


@dataclass(frozen=True)
class Status:
    name: str
    position: int
    head: int
    quarantined: int = 0  # streams this projection could not derive (projections/quarantine.py)

    @property
    def behind(self) -> int:
        return max(self.head - self.position, 0)


def to_streams(rows: Iterable[dict[str, Any]]) -> Iterator[StreamHistory]:
    """Stored rows (ordered by stream and version) as the histories row functions read; a stream
    that does not decode comes with its problem, which the projections quarantine."""
    for stream_id, history in scans.to_streams(rows):
        if isinstance(history, scans.Unreadable):
            yield StreamHistory(stream_id, [], unreadable=history.problem, stored_kind=history.kind)
        else:
            yield StreamHistory(stream_id, history)


def derived_batches(scan: Iterable[dict[str, Any]], projections: list[Projection], upto: int,
                    flush_rows: int = FLUSH_ROWS) -> Iterator[tuple[dict[str, list[Row]], int]]:
    """What a scan's streams give each table (and the quarantine), in batches of about
    `flush_rows` rows, each with the number of events it was derived from."""
    buffers: dict[str, list[Row]] = {t.name: [] for t in tables_of(projections)}
    of_kind = {kind: [p for p in projections if p.stream_kind == kind] for kind in {p.stream_kind for p in projections}}
    events = pending = 0
    with collector_paused():
        for stream in to_streams(scan):
            for p in of_kind.get(stream.kind, ()):
                for name, rows in derive(p, stream, upto).items():
                    if rows:
                        buffers[name].extend(rows)
                        pending += len(rows)
            events += len(stream.history)
            if pending >= flush_rows:
                yield buffers, events
                buffers, events, pending = {name: [] for name in buffers}, 0, 0
                collect_batch()
        yield buffers, events


class TrackingRecorder(PostgresTrackingRecorder):
    """eventsourcing's tracking table, created by one process at a time (eventlog/tables.py)."""

    def create_table(self) -> None:
        with one_creator_at_a_time(self.datastore):
            super().create_table()


class ProjectionRunner:
    def __init__(self, datastore: PostgresDatastore, conninfo: str | None = None, workers: int | None = None) -> None:
        """Given the database's conninfo, a large rebuild is shared among `workers` processes
        (default: one per core); without it, it runs in this process."""
        self.datastore = datastore
        self.conninfo = conninfo
        self.workers = (workers or os.cpu_count() or 1) if conninfo else 1
        self.tracking = TrackingRecorder(datastore, tracking_table_name=TRACKING_TABLE)
        self.tracking.create_table()
        self.column_types = ColumnTypes()

    def _copy(self, curs: Any, table: Table, rows: list[Row]) -> None:
        if rows:
            types = self.column_types.of(curs.connection, table.name, table.columns)
            copy_rows(curs, table.name, table.columns, types, rows)

    def position(self, name: str) -> int:
        return self.tracking.max_tracking_id(name) or 0

    def head(self) -> int:
        with self.datastore.get_connection() as conn:
            return scans.head(conn)

    def status(self, projections: Iterable[Projection]) -> list[Status]:
        head = self.head()
        with self.datastore.get_connection() as conn:
            held = Counter(q.projection for q in quarantined(conn))
        return [Status(p.name, self.position(p.name), head, held[p.name]) for p in projections]

    # ---- catch-up -----------------------------------------------------------------------

    def catch_up(self, projection: Projection, batch_size: int = 2_000, progress: Progress | None = None) -> int:
        """Apply every event after the tracked position; return how many were applied."""
        done, total = 0, max(self.head() - self.position(projection.name), 0)
        while applied := self._apply_batch([projection], batch_size):
            done += applied
            if progress:
                progress(done, max(total, done))
        return done

    def catch_up_together(self, projections: list[Projection], batch_size: int = 2_000) -> int | None:
        """Catch up projections that stand at one position as one: each batch of the log is read
        once, each stream it touched loaded and folded once for every projection of its kind,
        and every projection's rows and tracking written in one transaction. What a follower
        does after each command, once instead of once per projection (seven transactions and four
        loads of the same person's history). None, and nothing done, when their positions differ
        (one has failed or is new): then each must be caught up on its own. It stops after a
        batch that was not full — what came meanwhile waits for the follower's next round, in a
        batch with its neighbours, rather than a transaction per event as commands arrive."""
        done = 0
        while (applied := self._apply_batch(projections, batch_size)) is not None:
            done += applied
            if applied < batch_size:
                return done
        return done or None

    def _apply_batch(self, projections: list[Projection], batch_size: int) -> int | None:
        """The next batch after the projections' one position, in one transaction; how many events
        it held, or None (and nothing done) when their positions differ."""
        with self.datastore.transaction(commit=True) as curs:
            positions = {self.tracking._max_tracking_id(p.name, curs) or 0 for p in projections}
            if len(positions) != 1:
                return None
            batch = scans.notifications_after(curs, positions.pop(), batch_size)
            if not batch:
                return 0
            upto = batch[-1]["notification_id"]
            # Only the streams of each kind its projections read: a unit's projection loads no person.
            for kind in {p.stream_kind for p in projections}:
                stream_ids = sorted({r["originator_id"] for r in batch if r["topic"].startswith(kind + ".")})
                if stream_ids:
                    streams = list(to_streams(scans.streams_rows(curs, stream_ids, upto)))
                    for projection in (p for p in projections if p.stream_kind == kind):
                        self._replace_streams(curs, projection, stream_ids, upto, streams)
            for projection in projections:  # raises if another runner moved past `upto`: all roll back
                self.tracking._insert_tracking(curs, Tracking(projection.name, upto))
            return len(batch)

    def _replace_streams(self, curs: Any, projection: Projection, stream_ids: list[UUID], upto: int,
                         streams: Iterable[StreamHistory]) -> None:
        """Replace the rows of these streams (their histories as of `upto`) in the projection's tables."""
        derived = self._derive(projection, streams, upto)
        # A stream that could not be derived keeps the rows it had; its quarantine entry is renewed.
        poisoned = {row[1] for row in derived[QUARANTINE_TABLE]}
        derivable = [s for s in stream_ids if s not in poisoned]
        for table in projection.tables:
            curs.execute(sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(
                sql.Identifier(table.name), sql.Identifier(table.key)), (derivable,))
            self._copy(curs, table, derived[table.name])
        curs.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE projection = %s AND stream_id = ANY(%s)",
                     (projection.name, stream_ids))
        self._copy(curs, QUARANTINE, derived[QUARANTINE_TABLE])

    @staticmethod
    def _derive(projection: Projection, streams: Iterable[StreamHistory], upto: int) -> dict[str, list[Row]]:
        derived: dict[str, list[Row]] = {t.name: [] for t in tables_of([projection])}
        for stream in streams:
            for name, rows in derive(projection, stream, upto).items():
                derived[name].extend(rows)
        return derived

    # ---- rebuild ------------------------------------------------------------------------

    def rebuild(self, projections: list[Projection], progress: Progress | None = None,
                share_from: int = SHARE_FROM_EVENTS) -> tuple[int, int]:
        """Recompute the projections from position 0; return (events read, position reached).
        With several workers and at least `share_from` events, worker processes derive the
        rows (projections/rebuild_shares.py); the tables come out the same."""
        with self.datastore.get_connection() as read, self.datastore.get_connection() as write:
            with read.transaction(), write.transaction():
                read.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                upto, total = scans.head_and_count(read)
                self._empty(write, projections)
                done = 0

                def read_more(events: int) -> None:
                    nonlocal done
                    done += events
                    if progress:
                        progress(done, total)

                with indexes_deferred(write, own_tables(projections)):
                    if self.conninfo and self.workers > 1 and total >= share_from:
                        snapshot = scans.export_snapshot(read)
                        write_shares(write, self.conninfo, projections, snapshot, upto, self.workers, FLUSH_ROWS,
                                     read_more)
                    else:
                        self._scan(read, write, projections, upto, read_more)
                self._track(write, projections, upto)
            self._analyze(write, projections)
        if progress:
            progress(done, total)
        return done, upto

    def replace_tables(self, projections: list[Projection], rows: dict[str, list[Row]], upto: int) -> None:
        """Replace the projections' tables with rows derived elsewhere (a Dask cluster) up to `upto`,
        in one transaction: readers see the old tables until it commits."""
        with self.datastore.get_connection() as write:
            with write.transaction():
                self._empty(write, projections)
                with indexes_deferred(write, own_tables(projections)):
                    self._flush(write, tables_of(projections), {name: list(r) for name, r in rows.items()})
                self._track(write, projections, upto)
            self._analyze(write, projections)

    @staticmethod
    def _empty(write: Any, projections: list[Projection]) -> None:
        write.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, own_tables(projections)))))
        write.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE projection = ANY(%s)", ([p.name for p in projections],))

    def _track(self, write: Any, projections: list[Projection], upto: int) -> None:
        with write.cursor() as curs:
            curs.execute(f"DELETE FROM {TRACKING_TABLE} WHERE application_name = ANY(%s)",
                         ([p.name for p in projections],))
            for p in projections:
                self.tracking._insert_tracking(curs, Tracking(p.name, upto))

    @staticmethod
    def _analyze(write: Any, projections: list[Projection]) -> None:
        # Every row is new: the planner's statistics are of the tables before (often empty).
        write.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, own_tables(projections)))))

    def _scan(self, read: Any, write: Any, projections: list[Projection], upto: int,
              read_more: Callable[[int], None]) -> None:
        """The rebuild in this process: one ordered scan of the log, rows COPYed as they come."""
        tables = tables_of(projections)
        for buffers, events in derived_batches(scans.by_stream(read, upto, name="canbao_rebuild"), projections, upto):
            self._flush(write, tables, buffers)
            read_more(events)

    def _flush(self, write: Any, tables: list[Table], buffers: dict[str, list[Row]]) -> None:
        with write.cursor() as curs:
            for table in tables:
                self._copy(curs, table, buffers[table.name])
                buffers[table.name].clear()


def own_tables(projections: Iterable[Projection]) -> list[str]:
    """The tables these projections keep (not the quarantine, which every projection shares)."""
    return [t.name for p in projections for t in p.tables]


def catch_up_each(runner: ProjectionRunner, projections: list[Projection],
                  on_error: Callable[[Exception], None]) -> bool:
    """Each projection on its own, so that one that fails holds none of the others back; whether
    all succeeded."""
    succeeded = True
    for projection in projections:
        try:
            runner.catch_up(projection)
        except Exception as error:  # noqa: BLE001 — a supervisor must survive any failure
            on_error(error)
            succeeded = False
    return succeeded


def follow(runner: ProjectionRunner, projections: list[Projection], stop: Callable[[], bool],
           on_error: Callable[[Exception], None], poll_seconds: float = 0.5,
           after_round: Callable[[], object] | None = None) -> None:
    """Keep catching up until told to stop; an error is reported and the loop carries on
    from the tracked position after a pause (the supervision `canbao serve` relies on). The
    projections are caught up together while they stand at one position; otherwise, or when
    that fails, each on its own: one that fails does not hold the others back."""
    backoff = poll_seconds
    while not stop():
        failed = False
        try:
            together = runner.catch_up_together(projections)
        except Exception as error:  # noqa: BLE001 — then one by one, which names the one that fails
            log.warning("projections could not be caught up together (%s); one by one", type(error).__name__)
            together = None
        if together is None:
            failed = not catch_up_each(runner, projections, on_error)
        try:
            if after_round:
                after_round()
        except Exception as error:  # noqa: BLE001
            on_error(error)
            failed = True
        backoff = min(backoff * 2, 30.0) if failed else poll_seconds
        time.sleep(backoff)



