"""Events as stored bytes, and the hash chain that makes tampering evident.

The stored topic is `<topic>.v<class_version>`: stable across class renames, and it tells
the decoder whether an old version must be upcast (`upcast_v1_v2` on the class) before
validation. State is JSON written and parsed by pydantic-core (dates included), in one
pass per event. Each event's `meta.prev_hash` is the hash of the previous stored event of
its stream, so a changed, deleted or reordered row breaks the chain that follows it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from uuid import UUID

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from domain.events import EVENT_TYPES, Event, Meta

GENESIS = "0" * 64


class Stored(BaseModel):
    model_config = ConfigDict(frozen=True)
    e: Event
    m: Meta


@cache
def _model(topic: str) -> type[Stored]:
    cls = EVENT_TYPES[topic]
    return create_model(f"Stored_{cls.__name__}", __base__=Stored, e=(cls, ...))


@cache
def _adapter(topic: str) -> TypeAdapter[Stored]:
    return TypeAdapter(_model(topic))


def stored_topic(event: Event) -> str:
    return f"{event.topic}.v{type(event).class_version}"


def encode(event: Event, meta: Meta) -> tuple[str, bytes]:
    # Event and meta are already validated models: wrap them without validating again.
    wrapped = _model(event.topic).model_construct(e=event, m=meta)
    return stored_topic(event), wrapped.__pydantic_serializer__.to_json(wrapped)


def decode(stored_topic_: str, state: bytes) -> tuple[Event, Meta]:
    topic, _, version = stored_topic_.rpartition(".v")
    cls = EVENT_TYPES[topic]
    if int(version) == cls.class_version:
        stored = _adapter(topic).validate_json(state)
        return stored.e, stored.m
    raw = json.loads(state)
    for v in range(int(version), cls.class_version):
        raw["e"] = getattr(cls, f"upcast_v{v}_v{v + 1}")(raw["e"])
    stored = _adapter(topic).validate_python(raw)
    return stored.e, stored.m


def event_hash(stream_id: UUID, version: int, topic: str, state: bytes) -> str:
    """The hash of one stored row: its position, its topic and its exact bytes."""
    digest = hashlib.sha256(stream_id.bytes)
    digest.update(version.to_bytes(8, "big"))
    digest.update(topic.encode())
    digest.update(b"\x00")
    digest.update(state)
    return digest.hexdigest()
