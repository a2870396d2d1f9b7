"""Errors the API shows: field-level input refusals and authorisation refusals, never internals."""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLError

from domain.errors import FieldError
from ledger_api.auth import NotAuthorised
from ledger_api.context import StorageUnavailable


class InputError(Exception):
    """Bad input to a query: reported with the field's API name, Chinese label and rule."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.label}({e.api_name}) {e.rule}: {e.message}" for e in self.errors))


SHOWN = (NotAuthorised, InputError, StorageUnavailable)


def should_mask(error: GraphQLError) -> bool:
    """Mask what went wrong while resolving, unless it is a refusal we meant to show (no stack
    traces, no SQL). Errors about the request itself — syntax, unknown fields, a value that is
    not a Date — have no path and say only what was wrong with the request."""
    original = error.original_error
    return error.path is not None and original is not None and not isinstance(original, SHOWN)
