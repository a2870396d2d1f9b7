"""The hash chain that makes tampering evident.

Each stored event's `meta.prev_hash` is the hash of the previous stored event of its
stream (position, topic and exact bytes), so a changed, deleted or reordered row breaks
the chain that follows it. Commands, the bulk import and verification all chain through
these functions: there is one way to compute a row's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.events import Event, Meta
from domain.timeline import RecordedEvent
from eventlog.codec import MetaTemplate, decode, encode

GENESIS = "0" * 64


def event_hash(stream_id: UUID | bytes, version: int, topic: str, state: bytes) -> str:
    """The hash of one stored row: its position, its topic and its exact bytes. (The import
    lanes give the stream as its 16 bytes, which they hold already.)"""
    stream = stream_id if isinstance(stream_id, bytes) else stream_id.bytes
    return hashlib.sha256(b"%s%s%s\x00%s" % (stream, version.to_bytes(8, "big"), topic.encode(), state)).hexdigest()


@dataclass(frozen=True)
class Stream:
    """One stream as loaded: its events in order and the hash the next one must name."""

    stream_id: UUID
    events: list[RecordedEvent]
    last_hash: str

    @property
    def version(self) -> int:
        return self.events[-1].version if self.events else 0


def stream_from(stream_id: UUID, rows: Iterable[tuple[int, str, bytes]]) -> Stream:
    """A stream decoded from its stored rows (version, topic, state), with its last row's hash."""
    events, last = [], None
    for last in rows:
        version, topic, state = last
        event, meta = decode(topic, bytes(state))
        events.append(RecordedEvent(stream_id, version, event, meta))
    # Only the last row's hash is asked for: the chain up to it is `canbao verify`'s to check.
    return Stream(stream_id, events, event_hash(stream_id, last[0], last[1], bytes(last[2])) if last else GENESIS)


def chain_rows(stream_id: UUID, after_version: int, after_hash: str, events: Sequence[Event],
               meta: MetaTemplate, command_id: UUID | None = None) -> tuple[list[StoredEvent], list[str]]:
    """Encode events to follow (after_version, after_hash): each names the hash of the one
    before. Returns the rows to store and the hashes chained: each row's previous, then the last."""
    stored, hashes = [], [after_hash]
    for version, event in enumerate(events, start=after_version + 1):
        topic, state = encode(event, meta.render(hashes[-1], command_id))
        stored.append(StoredEvent(stream_id, version, topic, state))
        hashes.append(event_hash(stream_id, version, topic, state))
    return stored, hashes


def chain(stream_id: UUID, after_version: int, after_hash: str, events: Sequence[Event], meta: Meta,
          ) -> tuple[list[StoredEvent], list[RecordedEvent], str]:
    """As chain_rows, with the events as recorded (meta and prev_hash) and the new last hash."""
    stored, hashes = chain_rows(stream_id, after_version, after_hash, events, MetaTemplate(meta))
    recorded = [RecordedEvent(stream_id, row.originator_version, event,
                              meta.model_copy(update={"prev_hash": prev}))
                for row, event, prev in zip(stored, events, hashes[:-1], strict=True)]
    return stored, recorded, hashes[-1]
