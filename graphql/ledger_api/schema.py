"""The composition root of the GraphQL schema: queries, mutations and the limits on both."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection, MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension,
)

from ledger_api.errors import should_mask
from ledger_api.mutations import Mutation
from ledger_api.queries import Query

MAX_DEPTH = 8
MAX_ALIASES = 20
MAX_TOKENS = 2_000


class StatementCount(SchemaExtension):
    """Reports how many SQL statements a request cost, under `extensions.sqlStatements`."""

    def get_results(self) -> dict[str, int]:
        return {"sqlStatements": self.execution_context.context.statements}


class LedgerSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log what went wrong unexpectedly; refusals and bad input are answers, not incidents."""
        unexpected = [e for e in errors if should_mask(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(*, introspection: bool = True, statement_count: bool = False) -> strawberry.Schema:
    # Factories, not instances: each request gets fresh extension objects.
    extensions: list = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=should_mask, error_message="Unexpected error; it has been logged."),
    ]
    if not introspection:
        extensions.append(DisableIntrospection())
    if statement_count:
        extensions.append(StatementCount)
    return LedgerSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
