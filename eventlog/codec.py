"""Events as stored bytes: one encoding, one decoder that upcasts old versions.

The stored topic is `<topic>.v<class_version>`: stable across class renames, and it tells
the decoder whether an old version must be upcast (`upcast_v1_v2` on the class) before
validation. State is JSON written and parsed by pydantic-core (dates included), in one
pass per event. The hash chain over these bytes is in `eventlog.chain`.
"""

from __future__ import annotations

import json
from functools import cache
from uuid import UUID

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from domain.events import EVENT_TYPES, Event, Meta


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


def stored_topic(event: Event | type[Event]) -> str:
    cls = event if isinstance(event, type) else type(event)
    return f"{cls.topic}.v{cls.class_version}"


class MetaJson:
    """A command's `Meta` as JSON, rendered per event with that event's `prev_hash`.

    Every event of a command shares its meta but for `prev_hash` (the last field), so the
    meta is serialised once per command, not once per event. A bulk import renders one
    template per batch and varies the command id (the first field) too.
    """

    def __init__(self, meta: Meta) -> None:
        text = meta.__pydantic_serializer__.to_json(
            meta.model_copy(update={"command_id": _PLACEHOLDER, "prev_hash": ""})
        )
        head, tail = text.split(str(_PLACEHOLDER).encode())
        assert head == b'{"command_id":"' and tail.endswith(b'"prev_hash":""}'), (
            "Meta must begin with command_id and end with prev_hash"
        )
        self.command_id = str(meta.command_id).encode()
        self._middle = tail[:-2]

    def render(self, prev_hash: str, command_id: bytes | None = None) -> bytes:
        return b'{"command_id":"' + (command_id or self.command_id) + self._middle + prev_hash.encode() + b'"}'


_PLACEHOLDER = UUID(int=0)


def encode(event: Event, meta: Meta | bytes) -> tuple[str, bytes]:
    """The stored topic and state of an event: {"e": event, "m": meta} as compact JSON.
    `meta` may be JSON already rendered by a MetaJson."""
    rendered = meta if isinstance(meta, bytes) else meta.__pydantic_serializer__.to_json(meta)
    return stored_topic(event), b'{"e":' + event.__pydantic_serializer__.to_json(event) + b',"m":' + rendered + b"}"


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
