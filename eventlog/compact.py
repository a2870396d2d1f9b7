"""The compact stored form of an event's fields: MessagePack, positional, dates as day numbers.

An event's fields are written as a MessagePack array in the model's field order (no names),
with trailing fields that hold their default left out; dates are days since 1970-01-01, UUIDs
their 16 bytes, Decimals their text. The same layout is read back straight into the model
without validation: what is stored was validated when it was decided, and the read path
(folds, rebuilds, history queries) is where the ledger spends its time.

Because the form is positional, an event class's fields are its stored layout: reordering,
renaming or retyping them needs a new `class_version` and an upcaster.
`tests/unit/test_stored_layouts.py` holds every class to the layout recorded for its version.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Union
from uuid import UUID

import msgspec
from pydantic import BaseModel

from domain.uuids import uuid_from_int

Convert = Callable[[Any], Any]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_set = object.__setattr__
pack = msgspec.msgpack.Encoder().encode
unpack = msgspec.msgpack.Decoder().decode


def day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def from_day_number(n: int) -> date:
    return date.fromordinal(n + _EPOCH_ORDINAL)


def uuid_bytes(value: UUID | str) -> bytes:
    """A UUID's 16 bytes; the import lanes hand over the text form they computed."""
    return value.bytes if isinstance(value, UUID) else bytes.fromhex(value.replace("-", ""))


def uuid_from_bytes(raw: bytes) -> UUID:
    return uuid_from_int(int.from_bytes(raw, "big"))  # 16 stored bytes need no check


def construct(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """A model instance from already-valid field values (every field given), as pydantic's
    model_construct makes it without its per-field loop; the generated readers inline it."""
    made = cls.__new__(cls)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def _list_of(inner: Convert) -> Convert:
    return lambda values: [inner(v) for v in values]


def _tuple_of(inner: Convert | None) -> Convert:
    return tuple if inner is None else (lambda values: tuple(map(inner, values)))


def _dict_of(inner: Convert | None) -> Convert:
    return dict if inner is None else (lambda values: {k: inner(v) for k, v in values.items()})


def _fixed_tuple(pairs: list[Pair]) -> Pair:
    outs = [out or _same for out, back, _ in pairs]
    backs = [back or _same for out, back, _ in pairs]
    return ((lambda values: [out(v) for out, v in zip(outs, values, strict=True)]),
            (lambda values: tuple(back(v) for back, v in zip(backs, values, strict=True))), False)


def _same(value: Any) -> Any:
    return value


Pair = tuple[Convert | None, Convert | None, bool]


def _converters(annotation: Any) -> Pair:
    """(to stored, from stored, may be None) for one field's type; a converter is None where the
    value is stored as it is."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no stored form for {annotation!r}")
        out, back, _ = _converters(inner[0])
        return out, back, True
    if origin is tuple and args[-1] is not Ellipsis:  # a fixed tuple, as (date, str, str, str)
        return _fixed_tuple([_converters(a) for a in args])
    if origin is tuple:
        out, back, _ = _converters(args[0])
        return (list if out is None else _list_of(out)), _tuple_of(back), False
    if origin is dict:
        out, back, _ = _converters(args[1])
        return (None if out is None else (lambda values: {k: out(v) for k, v in values.items()})), _dict_of(back), False
    if origin is typing.Literal or annotation in (str, int, bool):
        return None, None, False
    if annotation is date:
        return day_number, from_day_number, False
    if annotation is UUID:
        return uuid_bytes, uuid_from_bytes, False
    if annotation is Decimal:
        return str, Decimal, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        layout = layout_of(annotation)
        return layout.fields, layout.model, False
    raise TypeError(f"no stored form for {annotation!r}")


def _converted(expression: str, convert: str | None, optional: bool) -> str:
    if convert is None:
        return expression
    return f"(None if (x := {expression}) is None else {convert}(x))" if optional else f"{convert}({expression})"


class Layout:
    """How one model's fields are stored: their order, converters and defaults.

    Its two functions are generated per class (as dataclasses generates __init__): reading an
    event is the ledger's innermost loop, and a loop over fields costs more than the work."""

    def __init__(self, cls: type[BaseModel]) -> None:
        self.cls = cls
        self.names = tuple(cls.model_fields)
        fields = list(cls.model_fields.values())
        pairs = [_converters(f.annotation) for f in fields]
        # The stored form of each field's default, for trimming trailing defaults on write and
        # filling them in on read; the fields up to the last required one are always stored.
        defaults: list[Any] = []
        for f, (out, _, _) in zip(fields, pairs, strict=True):
            default = None if f.is_required() else f.get_default(call_default_factory=True)
            defaults.append(default if out is None or default is None else out(default))
        kept = max((i + 1 for i, f in enumerate(fields) if f.is_required()), default=0)
        scope: dict[str, Any] = {"_d": defaults, "_n": len(fields), "_kept": kept, "_cls": cls, "_set": _set,
                                 "_names": self.names, "_model": BaseModel}
        for i, (out, back, _) in enumerate(pairs):
            scope[f"o{i}"], scope[f"b{i}"] = out, back
        written = ", ".join(_converted(f"s[{name!r}]", f"o{i}" if out else None, optional)
                            for i, (name, (out, _, optional)) in enumerate(zip(self.names, pairs, strict=True)))
        read = ", ".join(f"{name!r}: " + _converted(f"v[{i}]", f"b{i}" if back else None, optional)
                         for i, (name, (_, back, optional)) in enumerate(zip(self.names, pairs, strict=True)))
        exec(  # noqa: S102 - source built above from the model's own field names
            "def fields(values):\n"
            "    s = values.__dict__ if isinstance(values, _model) else values\n"
            f"    stored = [{written}]\n"
            "    while len(stored) > _kept and stored[-1] == _d[len(stored) - 1]:\n"
            "        stored.pop()\n"
            "    return stored\n"
            "def model(v):\n"
            "    if len(v) < _n:\n"
            "        v = [*v, *_d[len(v):]]\n"
            "    made = _cls.__new__(_cls)\n"
            f"    _set(made, '__dict__', {{{read}}})\n"
            "    _set(made, '__pydantic_fields_set__', set(_names))\n"
            "    _set(made, '__pydantic_extra__', None)\n"
            "    _set(made, '__pydantic_private__', None)\n"
            "    return made\n", scope)
        self.fields: Callable[[dict[str, Any] | BaseModel], list[Any]] = scope["fields"]
        self.fields.__doc__ = "The stored array of a model, or of its fields given by name (in any order)."
        self.model: Callable[[list[Any]], Any] = scope["model"]
        self.model.__doc__ = "The model from its stored array, without validation."


@cache
def layout_of(cls: type[BaseModel]) -> Layout:
    return Layout(cls)
