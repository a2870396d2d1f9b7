"""Signed, expiring bearer tokens: how a request says who is asking (a `Principal`).

The roles and what each may see are domain rules (domain/access.py); this module only
issues and checks tokens. Expiry is checked against the real time, never a drill's clock.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import jwt

from domain.access import ROLES, NotAuthorised, Principal

__all__ = ["ROLES", "NotAuthorised", "Principal", "issue_token", "principal_from_header", "verify_token"]
ALGORITHM = "HS256"
ISSUER = "canbao"


def issue_token(secret: str, principal: Principal, ttl: timedelta) -> str:
    now = datetime.now(timezone.utc)
    claims = {"iss": ISSUER, "sub": principal.subject, "role": principal.role, "iat": now, "exp": now + ttl}
    for name in ("region", "unit_code", "id_number"):
        if value := getattr(principal, name):
            claims[name] = value
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    """The token's principal. A portal sends the same token with every request, so a token
    verified once is remembered (by its exact text, with its expiry, which is checked on each
    use): verifying a signature is 5% of a server's CPU per command."""
    key = (secret, token)
    if (known := _verified.get(key)) is not None:
        principal, expires = known
        if time.time() < expires:
            return principal
        _verified.pop(key, None)  # another request may have dropped it first
    principal, expires = _verify(secret, token)
    if len(_verified) >= _REMEMBERED:
        _verified.clear()  # a burst of distinct tokens: start over rather than grow
    _verified[key] = (principal, expires)
    return principal


_REMEMBERED = 10_000
_verified: dict[tuple[str, str], tuple[Principal, float]] = {}


def _verify(secret: str, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise NotAuthorised("the token has expired") from None
    except jwt.PyJWTError:
        raise NotAuthorised("the token is not valid") from None
    role = claims.get("role")
    if role not in ROLES:
        raise NotAuthorised("the token names no known role")
    principal = Principal(claims["sub"], role, claims.get("region"), claims.get("unit_code"), claims.get("id_number"))
    needs = {"office": principal.region, "unit_agent": principal.unit_code, "person": principal.id_number}
    if role in needs and not needs[role]:
        raise NotAuthorised(f"a {role} token must name its scope")
    return principal, float(claims["exp"])


def principal_from_header(secret: str, header: str | None) -> Principal | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorised("use an Authorization: Bearer <token> header")
    return verify_token(secret, token.strip())
