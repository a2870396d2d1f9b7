"""The composition root of the GraphQL schema."""

from __future__ import annotations

from importlib.metadata import version

import strawberry


@strawberry.type(description="What this ledger is and which version answers.")
class LedgerInfo:
    name: str
    version: str


@strawberry.type
class Query:
    @strawberry.field(description="The ledger answering this API.")
    def ledger(self) -> LedgerInfo:
        return LedgerInfo(name="canbao 参保 ledger", version=version("canbao"))


schema = strawberry.Schema(query=Query)
