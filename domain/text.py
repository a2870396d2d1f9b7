"""Text as it may enter the ledger: no control characters, no lone surrogates, and no longer
than a real form's field. Checked where input enters (every command, every provenance) so
that nothing stored can later stop a read model — PostgreSQL refuses NUL in text — or
flood a page, and a refusal names the field and the rule like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from domain.errors import DomainError, FieldError

# Lengths a real form has (seed 001 附件1 and the national platform's fields), in characters.
MAX_LENGTH: dict[str, int] = {
    "id_number": 32, "target_id_number": 32, "name": 50, "phone": 20, "address": 200,
    "household_region": 6, "region": 6, "pooling_region": 6, "target_region": 6,
    "unit_code": 30, "successor_code": 30, "successor_codes": 30, "unit_name": 100, "note": 500,
    "reason": 200, "evidence": 300, "service_item": 40, "campaign_id": 40, "local_person_number": 40,
    "source": 200, "other_unit": 100,
}
DEFAULT_MAX_LENGTH = 60  # codes and short values: anything longer is not a value of a form
MAX_ITEMS = 50  # evidence references, corrected fields, successor units
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def unsafe_text(value: str) -> bool:
    return _UNSAFE.search(value) is not None


def text_errors(field: str, value: str) -> list[FieldError]:
    limit = MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    errors = []
    if len(value) > limit:
        errors.append(FieldError(field, "text.too_long", f"at most {limit} characters, not {len(value)}"))
    found = _UNSAFE.search(value)
    if found:
        code = ord(found.group())
        rule = "text.surrogate" if 0xD800 <= code <= 0xDFFF else "text.control_character"
        errors.append(FieldError(field, rule, f"contains the character U+{code:04X}, which no form field holds"))
    return errors


def _texts(field: str, value: Any) -> Iterator[tuple[str, str]]:
    """(field, text) for every text in a value: a mapping names its own fields."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _texts(field, str(key))
            yield from _texts(str(key), inner)
    elif isinstance(value, tuple | list | frozenset | set):
        for inner in value:
            yield from _texts(field, inner)


def check_texts(values: Mapping[str, Any]) -> None:
    """Refuse, naming every field at fault, if any text in `values` is unsafe or too long."""
    errors: list[FieldError] = []
    for field, value in values.items():
        if isinstance(value, Mapping | tuple | list) and len(value) > MAX_ITEMS:
            errors.append(FieldError(field, "list.too_long", f"at most {MAX_ITEMS} items, not {len(value)}"))
            continue
        for name, text in _texts(field, value):
            errors.extend(text_errors(name, text))
    if errors:
        raise DomainError(*errors)
