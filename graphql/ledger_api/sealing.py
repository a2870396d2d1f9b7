"""Cursors and identifiers that tell a client nothing it may not see.

A person's stream id is a public uuid5 of the ID number, and the hidden digits of a masked
number are a birth date (a small space): anything derived from either would let a role
that sees masked numbers recover them. So page cursors are sealed (AES-GCM under a key
derived from the installation's secret: opaque, and a forged or altered one is refused),
and identifiers shown to such roles are keyed pseudonyms, stable within an installation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.id_numbers import mask

SEPARATOR = "\x1f"
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


class CursorRefused(ValueError):
    pass


class Sealer:
    def __init__(self, secret: str) -> None:
        root = hashlib.sha256(b"canbao:sealing:" + secret.encode()).digest()
        self._cipher = AESGCM(hashlib.sha256(root + b":cursor").digest())
        self._pseudonyms = hashlib.sha256(root + b":pseudonym").digest()

    def seal(self, *parts: object) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._cipher.encrypt(nonce, SEPARATOR.join(map(str, parts)).encode(), b"cursor")
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, cursor: str, parts: int) -> tuple[str, ...]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            opened = self._cipher.decrypt(raw[:12], raw[12:], b"cursor").decode().split(SEPARATOR)
        except (ValueError, InvalidTag, UnicodeDecodeError):
            raise CursorRefused("the cursor is not one this API gave out") from None
        if len(opened) != parts:
            raise CursorRefused("the cursor is not one this API gave out")
        return tuple(opened)

    def pseudonym(self, identifier: UUID) -> UUID:
        """The same identifier every time for this installation; not invertible without its key."""
        return UUID(bytes=hmac.new(self._pseudonyms, identifier.bytes, hashlib.sha256).digest()[:16], version=4)


def masked_text(text: str) -> str:
    """A free text with every ID number in it masked as `mask` masks a number."""
    return _ID_NUMBER.sub(lambda found: mask(found.group()), text)
