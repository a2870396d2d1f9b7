"""Verification: recompute every stream's chain and every checkpoint, and name what changed.

Both scans stream rows from the server inside one repeatable-read snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from uuid import UUID

from eventlog import scans
from eventlog.chain import GENESIS
from eventlog.checkpoints import START, Digest, advance, all_checkpoints, row_hash
from eventlog.codec import recorded_prev_hash

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    stream_id: UUID | None
    version: int | None
    problem: str

    def __str__(self) -> str:
        where = f"stream {self.stream_id} version {self.version}: " if self.stream_id else ""
        return where + self.problem


@dataclass
class Report:
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings


def check_chains(conn: Any, report: Report, progress: Progress | None = None, total: int = 0) -> None:
    """Every stream must run 1, 2, 3… with each event naming the hash of the one before."""
    for stream_id, group in groupby(scans.by_stream(conn, name="canbao_audit"), key=lambda r: r["originator_id"]):
        expected_version, previous = 1, GENESIS
        for row in group:
            report.events += 1
            version = row["originator_version"]
            if version != expected_version:
                report.findings.append(Finding(stream_id, expected_version, (
                    f"is missing (the next stored is {version}): a row was deleted or versions were changed")))
            recorded_prev = recorded_prev_hash(bytes(row["state"]))
            if recorded_prev is None:
                report.findings.append(Finding(stream_id, version, "stored state is no longer a readable event"))
            elif recorded_prev != previous:
                culprit = version - 1 if version == expected_version else version
                report.findings.append(Finding(stream_id, culprit if culprit > 0 else version, (
                    f"does not match the hash recorded by version {version}: its content, "
                    "position or presence changed")))
            previous, expected_version = row_hash(row), version + 1
            if progress and report.events % 50_000 == 0:
                progress(report.events, total)


def check_checkpoints(conn: Any, report: Report, since: Digest | None) -> None:
    """Recompute the running hash from the start and compare it at every checkpoint (and at
    the auditor's own digest): a change anywhere before a checkpoint shows there."""
    wanted = {d.notification_id: d for d in (all_checkpoints(conn) + ([since] if since else []))}
    running, count, reached = START, 0, 0
    for row in scans.in_order(conn, name="canbao_audit"):
        for position in sorted(p for p in wanted if reached < p < row["notification_id"]):
            _compare(report, wanted.pop(position), running, count)
        running = advance(running, row["notification_id"], row_hash(row))
        count, reached = count + 1, row["notification_id"]
        if reached in wanted:
            _compare(report, wanted.pop(reached), running, count)
    for position in sorted(wanted):
        if position <= reached:
            _compare(report, wanted[position], running, count)
        else:
            report.findings.append(Finding(None, None, f"checkpoint at notification {position} lies beyond the "
                                           f"log's last event ({reached}): events were deleted from the end"))


def _compare(report: Report, checkpoint: Digest, running: str, count: int) -> None:
    if (running, count) != (checkpoint.running_hash, checkpoint.event_count):
        report.findings.append(Finding(None, None, (
            f"the log up to notification {checkpoint.notification_id} no longer hashes as recorded "
            f"({checkpoint.event_count} events then, {count} now): something before it changed")))


def verify(datastore: Any, since: Digest | None = None, progress: Progress | None = None) -> Report:
    report = Report()
    with datastore.get_connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        _, total = scans.head_and_count(conn)
        check_chains(conn, report, progress, total)
        check_checkpoints(conn, report, since)
    if progress:
        progress(report.events, total)
    return report
