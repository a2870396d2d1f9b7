"""Unified social credit codes (GB 32100-2015), including authorities A, N and Y.

python-stdnum's cn.uscc rejects codes starting with A, N or Y, which are legal.
"""

from __future__ import annotations

import uuid

from domain.errors import refuse

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registering authority → the organisation-type characters it may issue.
_ORGANISATION_TYPES = {
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129",
    "7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1",
}
UNIT_NAMESPACE = uuid.UUID("0b9d6c1e-2f47-5a8e-8c3d-7e4f1a2b3c4d")


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(raw: str, field: str = "unit_code") -> str:
    code = raw.strip().upper()
    if len(code) != 18 or any(c not in _VALUE for c in code):
        raise refuse(field, "unit_code.format", f"“{raw}” is not 18 characters of {ALPHABET}")
    authority, organisation = code[0], code[1]
    if organisation not in _ORGANISATION_TYPES.get(authority, ""):
        raise refuse(
            field, "unit_code.organisation_type",
            f"authority {authority} does not issue organisation type {organisation}",
        )
    if not code[2:8].isdigit():
        raise refuse(field, "unit_code.division", f"positions 3–8 ({code[2:8]}) must be a division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise refuse(field, "unit_code.check_character", f"check character is {code[17]}, expected {expected}")
    return code


def unit_id(code: str) -> uuid.UUID:
    """The stream id of a unit, from its code (credit code or local virtual-unit number)."""
    return uuid.uuid5(UNIT_NAMESPACE, code.strip().upper())
