"""Small helpers that let a decider report every broken field at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from domain.errors import DomainError, FieldError, refuse

T = TypeVar("T")


class Checks:
    """Run validators, keep going past refusals, and refuse once with all of them."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def run(self, validate: Callable[..., T], *args: object) -> T | None:
        try:
            return validate(*args)
        except DomainError as refused:
            self.errors.extend(refused.errors)
            return None

    def done(self) -> None:
        if self.errors:
            raise DomainError(*self.errors)


def required_text(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise refuse(field, "required", "must not be empty")
    return value.strip()


def validate_name(value: str, field: str = "name") -> str:
    """Non-empty; Chinese names may contain the middle dot of ethnic-minority names."""
    name = required_text(value, field).replace("•", "·").replace("．", "·")
    if any(ch.isdigit() for ch in name) or name.startswith("·") or name.endswith("·"):
        raise refuse(field, "name.characters", f"“{value}” is not a plausible name")
    return name
