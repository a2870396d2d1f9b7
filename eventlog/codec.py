"""Events as stored bytes: one encoding, and a decoder that also reads (and upcasts) older forms.

The stored topic is `<topic>.v<class_version>`: stable across class renames, and it tells
the decoder whether an old version must be upcast first.

The state of an event written today is its compact form, a third of the JSON it replaced:

    0x02 | prev_hash (32 bytes) | command_id (16) | n (2, big-endian) | provenance (n) | fields

`provenance` is the MessagePack array of what every event of one command shares (command,
system time, actor, channel, service item, evidence, cause), so a command renders it once;
`fields` are the event's own (`eventlog.compact`). Events written before (JSON,
{"e": fields, "m": meta}) stay as they were stored and are read by the same `decode`: history
is never rewritten, and the hash chain (`eventlog.chain`) covers whichever bytes are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache, lru_cache
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from domain.event import Actor
from domain.events import EVENT_TYPES, Event, Meta
from domain.uuids import uuid_from_int
from eventlog.compact import construct, layout_of, pack, unpack

COMPACT = b"\x02"
# Offsets in a compact state: the format byte, prev_hash, command_id, the provenance's length.
_PREV, _COMMAND, _LENGTH, _HEAD = slice(1, 33), slice(33, 49), slice(49, 51), 51
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ACTOR = layout_of(Actor)


def stored_topic(event: Event | type[Event]) -> str:
    cls = event if isinstance(event, type) else type(event)
    return f"{cls.topic}.v{cls.class_version}"


def _micros(moment: datetime) -> tuple[int, int]:
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a recorded time must say its UTC offset")
    delta = moment - _UTC_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, int(offset.total_seconds())


def _provenance(meta: Meta) -> bytes:
    micros, offset = _micros(meta.recorded_at)
    stored = [meta.command, micros, offset, _ACTOR.fields(meta.actor), meta.channel, meta.service_item,
              list(meta.evidence), meta.cause.bytes if meta.cause else None]
    while stored[-1] is None or stored[-1] == []:
        stored.pop()
    return pack(stored)


@lru_cache(maxsize=4096)
def _meta_fields(raw: bytes) -> dict[str, Any]:
    """Meta's fields from their stored provenance, in field order, command_id and prev_hash
    left to fill in: shared by every event of a command and every row of an import batch, so
    decoded once."""
    stored: list[Any] = unpack(raw)
    stored += [None] * (8 - len(stored))
    command, micros, offset, actor, channel, service_item, evidence, cause = stored
    at = _UTC_EPOCH + timedelta(microseconds=micros)
    if offset:
        at = at.astimezone(timezone(timedelta(seconds=offset)))
    return {"command_id": None, "command": command, "recorded_at": at, "actor": _ACTOR.model(actor),
            "channel": channel, "service_item": service_item, "evidence": tuple(evidence or ()),
            "cause": uuid_from_int(int.from_bytes(cause, "big")) if cause else None, "prev_hash": ""}


class MetaTemplate:
    """A command's `Meta` in stored form, rendered per event with that event's `prev_hash` (and,
    for a bulk import's rows, their own command id): the provenance is serialised once."""

    def __init__(self, meta: Meta) -> None:
        provenance = _provenance(meta)
        self.command_id = meta.command_id.bytes
        self._tail = len(provenance).to_bytes(2, "big") + provenance

    def render(self, prev_hash: str, command_id: UUID | bytes | None = None) -> bytes:
        """The stored meta naming `prev_hash`, and `command_id` (or its 16 bytes) when given."""
        own = self.command_id if command_id is None else command_id if isinstance(command_id, bytes) \
            else command_id.bytes
        return COMPACT + bytes.fromhex(prev_hash) + own + self._tail


def encode_fields(cls: type[Event], values: dict[str, Any] | Event) -> bytes:
    """An event's own fields in stored form, from the event or from its fields by name (the
    import lanes decide rows without building events)."""
    return pack(layout_of(cls).fields(values))


def encode(event: Event, meta: Meta | bytes) -> tuple[str, bytes]:
    """The stored topic and state of an event; `meta` may be rendered by a MetaTemplate already."""
    head = meta if isinstance(meta, bytes) else MetaTemplate(meta).render(meta.prev_hash or "0" * 64)
    return stored_topic(event), head + encode_fields(type(event), event)


def recorded_prev_hash(state: bytes) -> str | None:
    """The hash of the previous event that a stored state names, or None if it names none."""
    if state[:1] == COMPACT:
        return state[_PREV].hex() if len(state) >= _HEAD else None
    try:
        return str(orjson.loads(state)["m"]["prev_hash"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class _Reader:
    """What decoding needs to know of one stored topic, looked up once."""

    cls: type[Event]
    version: int
    model: Callable[[list[Any]], Any]
    upcasts: tuple[Callable[[list[Any]], list[Any]], ...]  # compact upcasters to the current version


@cache
def _reader(stored_topic_: str) -> _Reader:
    topic, _, version = stored_topic_.rpartition(".v")
    cls = EVENT_TYPES[topic]
    upcasts = tuple(getattr(cls, f"upcast_compact_v{v}_v{v + 1}") for v in range(int(version), cls.class_version))
    return _Reader(cls, int(version), layout_of(cls).model, upcasts)


def decode(stored_topic_: str, state: bytes) -> tuple[Event, Meta]:
    reader = _reader(stored_topic_)
    if not state or state[0] != 2:  # COMPACT
        return _decode_json(reader.cls, reader.version, state)
    end = _HEAD + int.from_bytes(state[_LENGTH], "big")
    fields = _meta_fields(state[_HEAD:end]).copy()
    fields["command_id"] = uuid_from_int(int.from_bytes(state[_COMMAND], "big"))
    fields["prev_hash"] = state[_PREV].hex()
    meta = construct(Meta, fields)
    stored = unpack(state[end:])
    for upcast in reader.upcasts:
        stored = upcast(stored)
    return reader.model(stored), meta


# ---- the JSON form of events stored before the compact form ---------------------------


def json_form_of(event: Event, meta: Meta) -> bytes:
    """An event as it was stored before the compact form (fffc189 and earlier): read by `decode`
    still, written only to compare the two (canbao bench, tests)."""
    return b'{"e":' + event.model_dump_json().encode() + b',"m":' + meta.model_dump_json().encode() + b"}"


class Stored(BaseModel):
    model_config = ConfigDict(frozen=True)
    e: Event
    m: Meta


@cache
def _adapter(topic: str) -> TypeAdapter[Stored]:
    model = create_model(f"Stored_{EVENT_TYPES[topic].__name__}", __base__=Stored, e=(EVENT_TYPES[topic], ...))
    return TypeAdapter(model)


def _decode_json(cls: type[Event], version: int, state: bytes) -> tuple[Event, Meta]:
    if version == cls.class_version:
        stored = _adapter(cls.topic).validate_json(state)
        return stored.e, stored.m
    raw = orjson.loads(state)
    for v in range(version, cls.class_version):
        raw["e"] = getattr(cls, f"upcast_v{v}_v{v + 1}")(raw["e"])
    stored = _adapter(cls.topic).validate_python(raw)
    return stored.e, stored.m
