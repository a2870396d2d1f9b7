"""Who is asking, and what they may see: signed, expiring bearer tokens and scope rules.

Roles (issue: portals, offices, auditors):
- office: an insurance office's clerk, scoped to a region (a city code covers its counties);
- unit_agent: a unit's agent, scoped to that unit and its staff;
- person: an insured person, scoped to themself;
- auditor: reads everything, history included, changes nothing;
- analyst: reads the read models with ID numbers masked, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

import jwt

Role = Literal["office", "unit_agent", "person", "auditor", "analyst"]
ROLES: tuple[Role, ...] = ("office", "unit_agent", "person", "auditor", "analyst")
ALGORITHM = "HS256"
ISSUER = "canbao"


class NotAuthorised(Exception):
    """The caller may not do or see this; the message says why without revealing data."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    region: str | None = None  # office
    unit_code: str | None = None  # unit agent
    id_number: str | None = None  # person

    @property
    def region_prefix(self) -> str:
        """The code prefix an office's region covers: 350100 → 3501, 350000 → 35."""
        region = self.region or ""
        if region.endswith("0000"):
            return region[:2]
        if region.endswith("00"):
            return region[:4]
        return region

    def covers_region(self, region: str | None) -> bool:
        return bool(region) and region.startswith(self.region_prefix)  # type: ignore[union-attr]

    @property
    def masks_id_numbers(self) -> bool:
        return self.role == "analyst"


def issue_token(secret: str, principal: Principal, ttl: timedelta) -> str:
    now = datetime.now(timezone.utc)
    claims = {"iss": ISSUER, "sub": principal.subject, "role": principal.role, "iat": now, "exp": now + ttl}
    for name in ("region", "unit_code", "id_number"):
        if value := getattr(principal, name):
            claims[name] = value
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
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
    return principal


def principal_from_header(secret: str, header: str | None) -> Principal | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorised("use an Authorization: Bearer <token> header")
    return verify_token(secret, token.strip())
