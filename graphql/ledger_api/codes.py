"""Code tables with Chinese labels, and what this ledger is: readable without any scope."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version
from typing import overload

import strawberry
from strawberry.types import Info

from domain.codes import label, tables
from ledger_api.auth import NotAuthorised
from ledger_api.context import ctx


@strawberry.type(description="A code of a national table with its Chinese label.")
class Coded:
    code: str
    label: str


@overload
def coded(table: str, code: str) -> Coded: ...


@overload
def coded(table: str, code: None) -> None: ...


@overload
def coded(table: str, code: str | None) -> Coded | None: ...


def coded(table: str, code: str | None) -> Coded | None:
    return None if code is None else coded_once(table, code)


@lru_cache(maxsize=4096)
def coded_once(table: str, code: str) -> Coded:
    """One answer object per code: a page of 50 rows names the same few codes over and over, and
    nothing changes a `Coded` once made (codes outside a table, kept as read, are few too)."""
    return Coded(code=code, label=label(table, code))


@strawberry.type
class CodeTableView:
    name: str
    label: str
    api_name: str
    codes: list[Coded]


@strawberry.type(description="What this ledger is and which version answers.")
class LedgerInfo:
    name: str
    version: str


@strawberry.type
class CodeQueries:
    @strawberry.field(description="The ledger answering this API (no sign-in needed).")
    def ledger(self) -> LedgerInfo:
        return LedgerInfo(name="canbao 参保 ledger", version=version("canbao"))

    @strawberry.field(description="A national code table with Chinese labels, e.g. insurance_type, person_type.")
    def code_table(self, info: Info, name: str) -> CodeTableView:
        ctx(info).who()
        table = tables().get(name)
        if table is None:
            raise NotAuthorised(f"no code table {name}; known: {', '.join(tables())}")
        return CodeTableView(name=table.name, label=table.label, api_name=table.api_name,
                             codes=[Coded(code=c, label=text) for c, text in table.codes.items()])
