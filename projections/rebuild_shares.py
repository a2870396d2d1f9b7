"""A rebuild shared among worker processes, one range of stream ids each.

Deriving rows from events (decoding, folding, spells) is most of a rebuild's time and is
independent per stream, so each worker reads its range of streams inside the rebuild's own
snapshot (exported by the parent, imported by the worker: every worker sees the same log)
and sends back its rows already in binary COPY form (projections/copying.py). The parent only writes those bytes,
in its one transaction: a rebuild that fails still leaves the previous tables in place.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from eventlog import scans
from projections.catalog import BY_NAME, Projection
from projections.copying import Batches, ColumnTypes, encoded
from projections.quarantine import tables_of

QUEUED_CHUNKS = 8  # chunks waiting for the parent, per worker: memory stays bounded
WAIT_SECONDS = 1.0


def share_bounds(shares: int) -> list[tuple[UUID, UUID | None]]:
    """`shares` ranges of stream ids, [low, high): stream ids are name-based UUIDs, so they
    spread evenly over the whole space."""
    lows = [UUID(int=(share << 128) // shares) for share in range(shares)]
    return list(zip(lows, [*lows[1:], None], strict=True))


def derive_share(conninfo: str, names: list[str], snapshot: str, upto: int, share: int, shares: int,
                 messages: Any, flush_rows: int) -> None:
    """One worker: the rows of every stream in its share of the ids, as of `snapshot`. It
    puts (share, kind, value) on `messages`: ("copy", (table, COPY text)) and ("read",
    events) at every flush, then ("done", None) — or ("failed", what stopped it)."""
    from projections.runner import derived_batches

    projections = [BY_NAME[name] for name in names]
    low, high = share_bounds(shares)[share]
    try:
        with psycopg.connect(conninfo, row_factory=dict_row) as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            columns, types = {t.name: t.columns for t in tables_of(projections)}, ColumnTypes()
            scan = scans.by_stream(conn, upto, low, high, name="canbao_rebuild_share")
            for buffers, events in derived_batches(scan, projections, upto, flush_rows):
                for table, rows in buffers.items():
                    if rows:
                        payload = encoded(conn.cursor(), types.of(conn, table, columns[table]), rows)
                        messages.put((share, "copy", (table, payload)))
                messages.put((share, "read", events))
        messages.put((share, "done", None))
    except BaseException as stopped:  # reported to the parent, which raises it
        messages.put((share, "failed", f"{type(stopped).__name__}: {stopped}"))


def write_shares(write: psycopg.Connection[Any], conninfo: str, projections: Iterable[Projection], snapshot: str,
                 upto: int, workers: int, flush_rows: int, read: Callable[[int], None]) -> None:
    """Run `workers` processes over the log and COPY what they derive through `write`,
    telling `read` how many more events have been read as they go."""
    projections = list(projections)
    columns = {t.name: t.columns for t in tables_of(projections)}
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no connection crosses a fork
    messages = context.Queue(maxsize=QUEUED_CHUNKS * workers)
    processes = [context.Process(target=derive_share, daemon=True, args=(
        conninfo, [p.name for p in projections], snapshot, upto, share, workers, messages, flush_rows))
        for share in range(workers)]
    for process in processes:
        process.start()
    running, batches = set(range(workers)), Batches(write, columns)
    try:
        while running:
            try:
                share, kind, value = messages.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if any(not processes[share].is_alive() for share in running) and messages.empty():
                    raise RuntimeError("a rebuild worker died without reporting (killed?); rebuild again") from None
                continue
            if kind == "failed":
                raise RuntimeError(f"a rebuild worker failed: {value}")
            if kind == "done":
                running.discard(share)
            elif kind == "read":
                read(value)
            else:
                batches.add(*value)
        batches.flush()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
