"""PostgreSQL's binary COPY format for the two tables an import writes.

psycopg's `write_row` converts every value through its adapters, one Python call per
field; an import writes millions of rows whose fields are already bytes, so they are
framed here directly (header, per-row field count and lengths, trailer) and sent in
large chunks. Format: https://www.postgresql.org/docs/current/sql-copy.html
"""

from __future__ import annotations

import struct
from datetime import datetime, timezone

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
TRAILER = struct.pack(">h", -1)
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)

_EVENT = struct.Struct(">hi16siqi")  # 4 fields; uuid; bigint; the topic's length
_LENGTH = struct.Struct(">i")
_LOG = struct.Struct(">hi16si")  # 4 fields; uuid; the command type's length
_LOG_TAIL = struct.Struct(">iqiB")  # timestamptz; jsonb length and version 1


def event_row(stream: bytes, version: int, topic: bytes, state: bytes) -> bytes:
    """(originator_id uuid, originator_version bigint, topic text, state bytea)."""
    return _EVENT.pack(4, 16, stream, 8, version, len(topic)) + topic + _LENGTH.pack(len(state)) + state


def timestamptz(moment: datetime) -> int:
    """Microseconds since PostgreSQL's epoch, as binary COPY stores timestamptz."""
    delta = moment - _POSTGRES_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def command_log_row(command_id: bytes, command_type: bytes, recorded_at: int, positions: bytes) -> bytes:
    """(command_id uuid, command_type text, recorded_at timestamptz, positions jsonb)."""
    return (_LOG.pack(4, 16, command_id, len(command_type)) + command_type
            + _LOG_TAIL.pack(8, recorded_at, len(positions) + 1, 1) + positions)
