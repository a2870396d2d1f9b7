"""Refusals that name the field (API name and Chinese label) and the rule that was broken."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from domain.fields import api_name, label_of


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message: str

    @property
    def api_name(self) -> str:
        return api_name(self.field)

    @property
    def label(self) -> str:
        return label_of(self.field)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.api_name, "label": self.label, "rule": self.rule, "message": self.message}


class DomainError(Exception):
    """A command was refused; nothing was recorded. Carries one or more field errors."""

    def __init__(self, *errors: FieldError) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.label}({e.api_name}) {e.rule}: {e.message}" for e in errors))


def refuse(field: str, rule: str, message: str) -> DomainError:
    return DomainError(FieldError(field, rule, message))


def invalid_input(error: ValidationError) -> tuple[FieldError, ...]:
    """What pydantic refused in a command's input, as field errors (rule `input.<kind>`)."""
    return tuple(FieldError(str(e["loc"][0]) if e["loc"] else "input", f"input.{e['type']}", e["msg"])
                 for e in error.errors())


class ConcurrencyConflict(Exception):
    """Other writers kept changing the same records; the command was retried, then given up
    on, and nothing was recorded. The caller may simply send it again."""
