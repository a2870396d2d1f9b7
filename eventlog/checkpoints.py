"""Running-hash checkpoints over the whole log, and the digests auditors keep.

The last event of a stream has no successor to vouch for it (see `eventlog.chain`), so
checkpoints also hash the whole log in notification order; an auditor keeps a digest of
one outside the system and later asks `canbao verify --since DIGEST`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from eventlog import scans
from eventlog.chain import event_hash
from eventlog.tables import CHECKPOINT_TABLE

DIGEST_PREFIX = "canbao-digest-v1"
START = "0" * 64


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


def advance(running: str, notification_id: int, row_hash: str) -> str:
    return hashlib.sha256(f"{running}{notification_id}:{row_hash}".encode()).hexdigest()


def row_hash(row: scans.Row) -> str:
    return event_hash(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))


def running_hash(conn: Any, upto: int | None = None, after: tuple[int, str] = (0, START)) -> tuple[Digest, int]:
    """The running hash over the log in notification order, from a checkpoint (`after`)."""
    position, running = after
    count = 0
    for row in scans.in_order(conn, position, upto, name="canbao_audit"):
        running = advance(running, row["notification_id"], row_hash(row))
        position, count = row["notification_id"], count + 1
    return Digest(position, count, running), count


def latest_checkpoint(conn: Any) -> Digest | None:
    row = conn.execute(f"SELECT notification_id, event_count, running_hash FROM {CHECKPOINT_TABLE} "
                       "ORDER BY notification_id DESC LIMIT 1").fetchone()
    return Digest(row["notification_id"], row["event_count"], row["running_hash"]) if row else None


def all_checkpoints(conn: Any) -> list[Digest]:
    return [Digest(r["notification_id"], r["event_count"], r["running_hash"]) for r in
            conn.execute(f"SELECT notification_id, event_count, running_hash FROM {CHECKPOINT_TABLE}")]


def record_checkpoint(datastore: Any) -> Digest:
    """Hash what was appended since the last checkpoint and record the new running hash."""
    with datastore.get_connection() as conn, conn.transaction():
        last = latest_checkpoint(conn) or Digest(0, 0, START)
        digest, added = running_hash(conn, after=(last.notification_id, last.running_hash))
        if added == 0:
            return last
        checkpoint = Digest(digest.notification_id, last.event_count + added, digest.running_hash)
        conn.execute(f"INSERT INTO {CHECKPOINT_TABLE} (notification_id, event_count, running_hash) "
                     "VALUES (%s, %s, %s)",
                     (checkpoint.notification_id, checkpoint.event_count, checkpoint.running_hash))
        return checkpoint


def checkpoint_if_due(datastore: Any, every: int = 10_000) -> Digest | None:
    """Record a checkpoint once about `every` events have been appended since the last one.
    Notification ids have gaps, so the distance is an upper bound; it costs one index probe."""
    with datastore.get_connection() as conn:
        last = latest_checkpoint(conn)
        position = scans.head(conn)
    return record_checkpoint(datastore) if position - (last.notification_id if last else 0) >= every else None
