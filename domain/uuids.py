"""Name-based (version 5) UUIDs, as `uuid.uuid5` makes them, at a third of its cost.

Every imported row derives three of them (person, enrollment, command id); the standard
function spends most of its time in `UUID.__init__`'s argument checks, which a SHA-1
digest with the version and variant bits set cannot fail.
"""

from __future__ import annotations

from hashlib import sha1
from uuid import UUID, SafeUUID

_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_5 = (5 << 76) | (0x8000 << 48)  # version 5, RFC 4122 variant
_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def uuid5(namespace: UUID, name: str) -> UUID:
    digest = sha1(namespace.bytes + name.encode()).digest()
    return uuid_from_int((int.from_bytes(digest[:16]) & _CLEAR) | _VERSION_5)


def uuid5_from(named: bytes, name: str) -> UUID:
    """`uuid5(namespace, prefix + name)` given `named` = the namespace's bytes and the prefix
    encoded: for many names that share both (a file's rows)."""
    digest = sha1(named + name.encode()).digest()
    return uuid_from_int((int.from_bytes(digest[:16]) & _CLEAR) | _VERSION_5)


def uuid_from_int(value: int) -> UUID:
    """A UUID of a 128-bit value known to be one (a digest, stored bytes), without the checks."""
    made = _new(UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def uuid5_text(namespace: UUID, name: str) -> str:
    """`str(uuid5(namespace, name))` straight from the digest's hex, for callers (the import's
    fast lane) that only ever write the id as text."""
    h = sha1(namespace.bytes + name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"
