"""Resident ID numbers (GB 11643-1999), 15-digit upgrades and national person identity.

python-stdnum's cn.ric rejects 15-digit numbers and valid numbers whose county code is
newer than the birth year, so the algorithm is written out here against domain.md §7.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from domain.codes import table
from domain.errors import refuse
from domain.regions import unknown_region_warning
from domain.uuids import uuid5

_CHECK = "10X98765432"
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
RESIDENT_ID = "01"
# Fixed forever: person ids derived from it are stored in every event stream.
PERSON_NAMESPACE = uuid.UUID("6f1c2a64-3b1e-5d0b-9a57-5c1d0c2e8b31")


@dataclass(frozen=True)
class ResidentId:
    number: str  # always the 18-digit form
    birth_date: date
    gender: str  # "1" male, "2" female
    region: str
    upgraded_from: str | None = None  # the 15-digit number it was given as, if any
    warnings: tuple[str, ...] = ()  # e.g. a county code the region table does not know


def check_character(first17: str) -> str:
    # The weights are 2**(17-i) mod 11, and 13 = 2 (mod 11): reading the 17 digits as a
    # base-13 number gives the weighted sum (halved) in one C call instead of a Python loop.
    # tests/unit/test_id_numbers prove it equal to the weighted sum written out.
    return _CHECK[2 * int(first17, 13) % 11]


def upgrade_15(number: str) -> str:
    """A 15-digit legacy number in its 18-digit form (the century is assumed to be 19xx)."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


def normalise(raw: str) -> str:
    return raw.strip().upper().replace(" ", "")


def parse_resident_id(raw: str, *, today: date, field: str = "id_number") -> ResidentId:
    """Validate a 15- or 18-digit resident ID number; refuse naming the broken rule.
    `today` is the business date (a birth date after it is refused): the caller's clock, never the wall's."""
    number = normalise(raw)
    upgraded_from = None
    if _ID15.fullmatch(number):
        upgraded_from, number = number, upgrade_15(number)
    elif not _ID18.fullmatch(number):
        raise refuse(
            field, "id_number.format", f"“{raw}” is neither 18 characters (17 digits + digit or X) nor 15 digits"
        )
    province = number[:2]
    if province not in table("province").codes:
        raise refuse(field, "id_number.province", f"province code {province} does not exist")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise refuse(field, "id_number.birth_date", f"birth date {number[6:14]} is not a calendar date") from None
    if born > today:
        raise refuse(field, "id_number.birth_date_in_future", f"birth date {born:%Y-%m-%d} is in the future")
    if upgraded_from is None and number[17] != check_character(number[:17]):
        raise refuse(
            field,
            "id_number.check_character",
            f"check character is {number[17]}, expected {check_character(number[:17])}",
        )
    gender = "1" if int(number[16]) % 2 else "2"
    warning = unknown_region_warning(number[:6])
    return ResidentId(number, born, gender, number[:6], upgraded_from, (warning,) if warning else ())


def normalise_certificate(certificate_type: str, raw: str) -> str:
    """The number under which a person is known nationally: 15-digit IDs are upgraded."""
    number = normalise(raw)
    if certificate_type == RESIDENT_ID and _ID15.fullmatch(number):
        return upgrade_15(number)
    return number


def person_id(certificate_type: str, raw_number: str) -> uuid.UUID:
    """The stream id of a person: the same for a 15-digit number and its 18-digit upgrade."""
    key = f"{certificate_type}:{normalise_certificate(certificate_type, raw_number)}"
    return uuid5(PERSON_NAMESPACE, key)


def mask(number: str) -> str:
    """First 6 and last 4 characters shown, for roles that do not need the whole number."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
