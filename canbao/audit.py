"""Tamper evidence: per-stream hash chains, running-hash checkpoints, digests, verification.

Every stored event carries in its metadata the hash of the previous event of its stream
(`prev_hash`), so changing, deleting, reordering or inserting a row breaks the chain after
it. The last event of a stream has no successor to vouch for it, so checkpoints also hash
the whole log in notification order; an auditor keeps a digest of one outside the system.
Both scans stream rows from the server: memory stays flat however long the log is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from uuid import UUID

import orjson

from domain.codec import GENESIS, event_hash
from projections.runner import EVENTS_TABLE

DIGEST_PREFIX = "canbao-digest-v1"
START = "0" * 64
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    stream_id: UUID | None
    version: int | None
    problem: str

    def __str__(self) -> str:
        where = f"stream {self.stream_id} version {self.version}: " if self.stream_id else ""
        return where + self.problem


@dataclass(frozen=True)
class Digest:
    notification_id: int
    event_count: int
    running_hash: str

    def __str__(self) -> str:
        return f"{DIGEST_PREFIX}:{self.notification_id}:{self.event_count}:{self.running_hash}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        try:
            prefix, position, count, running = text.strip().split(":")
            assert prefix == DIGEST_PREFIX and len(running) == 64
            return cls(int(position), int(count), running)
        except (ValueError, AssertionError):
            raise ValueError(f"not a canbao digest: {text!r} (expected {DIGEST_PREFIX}:N:COUNT:HASH)") from None


@dataclass
class Report:
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def advance(running: str, notification_id: int, row_hash: str) -> str:
    return hashlib.sha256(f"{running}{notification_id}:{row_hash}".encode()).hexdigest()


def _scan(conn: Any, sql: str, params: tuple = ()) -> Iterator[dict]:
    with conn.cursor(name="canbao_audit") as cursor:
        cursor.itersize = 10_000
        cursor.execute(sql, params)
        yield from cursor


def _row_hash(row: dict) -> str:
    return event_hash(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))


def check_chains(conn: Any, report: Report, progress: Progress | None = None, total: int = 0) -> None:
    """Every stream must run 1, 2, 3… with each event naming the hash of the one before."""
    rows = _scan(conn, f"SELECT originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
                       "ORDER BY originator_id, originator_version")
    for stream_id, group in groupby(rows, key=lambda r: r["originator_id"]):
        expected_version, previous = 1, GENESIS
        for row in group:
            report.events += 1
            version = row["originator_version"]
            if version != expected_version:
                report.findings.append(Finding(stream_id, expected_version, f"is missing (the next stored is {version}): "
                                               "a row was deleted or versions were changed"))
            try:
                recorded_prev = orjson.loads(bytes(row["state"]))["m"]["prev_hash"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                report.findings.append(Finding(stream_id, version, "stored state is no longer a readable event"))
                recorded_prev = None
            if recorded_prev is not None and recorded_prev != previous:
                culprit = version - 1 if version == expected_version else version
                report.findings.append(Finding(stream_id, culprit if culprit > 0 else version,
                                               f"does not match the hash recorded by version {version}: its content, "
                                               "position or presence changed"))
            previous, expected_version = _row_hash(row), version + 1
            if progress and report.events % 50_000 == 0:
                progress(report.events, total)


def running_hash(conn: Any, upto: int | None = None, after: tuple[int, str] = (0, START)) -> tuple[Digest, int]:
    """The running hash over the log in notification order, from a checkpoint (`after`)."""
    position, running = after
    count = 0
    bound = "AND notification_id <= %s" if upto is not None else ""
    params = (position, upto) if upto is not None else (position,)
    for row in _scan(conn, f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
                           f"WHERE notification_id > %s {bound} ORDER BY notification_id", params):
        running = advance(running, row["notification_id"], _row_hash(row))
        position, count = row["notification_id"], count + 1
    return Digest(position, count, running), count


def latest_checkpoint(conn: Any) -> Digest | None:
    row = conn.execute("SELECT notification_id, event_count, running_hash FROM audit_checkpoint "
                       "ORDER BY notification_id DESC LIMIT 1").fetchone()
    return Digest(row["notification_id"], row["event_count"], row["running_hash"]) if row else None


def record_checkpoint(datastore: Any) -> Digest:
    """Hash what was appended since the last checkpoint and record the new running hash."""
    with datastore.get_connection() as conn, conn.transaction():
        last = latest_checkpoint(conn) or Digest(0, 0, START)
        digest, added = running_hash(conn, after=(last.notification_id, last.running_hash))
        if added == 0:
            return last
        checkpoint = Digest(digest.notification_id, last.event_count + added, digest.running_hash)
        conn.execute("INSERT INTO audit_checkpoint (notification_id, event_count, running_hash) VALUES (%s, %s, %s)",
                     (checkpoint.notification_id, checkpoint.event_count, checkpoint.running_hash))
        return checkpoint


def check_checkpoints(conn: Any, report: Report, since: Digest | None) -> None:
    """Recompute the running hash from the start and compare it at every checkpoint (and at
    the auditor's own digest): a change anywhere before a checkpoint shows there."""
    wanted = {d.notification_id: d for d in (_checkpoints(conn) + ([since] if since else []))}
    running, count, reached = START, 0, 0
    for row in _scan(conn, f"SELECT notification_id, originator_id, originator_version, topic, state "
                           f"FROM {EVENTS_TABLE} ORDER BY notification_id"):
        for position in sorted(p for p in wanted if reached < p < row["notification_id"]):
            _compare(report, wanted.pop(position), running, count)
        running = advance(running, row["notification_id"], _row_hash(row))
        count, reached = count + 1, row["notification_id"]
        if reached in wanted:
            _compare(report, wanted.pop(reached), running, count)
    for position in sorted(wanted):
        if position <= reached:
            _compare(report, wanted[position], running, count)
        else:
            report.findings.append(Finding(None, None, f"checkpoint at notification {position} lies beyond the "
                                           f"log's last event ({reached}): events were deleted from the end"))


def _checkpoints(conn: Any) -> list[Digest]:
    return [Digest(r["notification_id"], r["event_count"], r["running_hash"]) for r in
            conn.execute("SELECT notification_id, event_count, running_hash FROM audit_checkpoint").fetchall()]


def _compare(report: Report, checkpoint: Digest, running: str, count: int) -> None:
    if (running, count) != (checkpoint.running_hash, checkpoint.event_count):
        report.findings.append(Finding(None, None, (
            f"the log up to notification {checkpoint.notification_id} no longer hashes as recorded "
            f"({checkpoint.event_count} events then, {count} now): something before it changed")))


def verify(datastore: Any, since: Digest | None = None, progress: Progress | None = None) -> Report:
    report = Report()
    with datastore.get_connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        total = conn.execute(f"SELECT count(*) AS n FROM {EVENTS_TABLE}").fetchone()["n"]
        check_chains(conn, report, progress, total)
        check_checkpoints(conn, report, since)
    if progress:
        progress(report.events, total)
    return report


def checkpoint_if_due(datastore: Any, every: int = 10_000) -> Digest | None:
    """Record a checkpoint once about `every` events have been appended since the last one.
    Notification ids have gaps, so the distance is an upper bound; it costs one index probe."""
    with datastore.get_connection() as conn:
        last = latest_checkpoint(conn)
        head = conn.execute(f"SELECT coalesce(max(notification_id), 0) AS head FROM {EVENTS_TABLE}").fetchone()["head"]
    return record_checkpoint(datastore) if head - (last.notification_id if last else 0) >= every else None
