"""The composition root of the GraphQL schema: queries, mutations and the limits on both."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types.graphql import OperationType

from domain.text import unsafe_text
from ledger_api.codes import CodeQueries
from ledger_api.cohorts import CohortQueries
from ledger_api.commands import mutation_type
from ledger_api.documents import DocumentMutations, DocumentQueries
from ledger_api.errors import should_mask
from ledger_api.executor import PlainFieldExecutor
from ledger_api.persons import PersonQueries
from ledger_api.register import RegisterQueries
from ledger_api.reports import ReportQueries
from ledger_api.requests import RequestQueries
from ledger_api.units import UnitQueries

MAX_DEPTH = 8
MAX_ALIASES = 20
MAX_TOKENS = 2_000
K = TypeVar("K")
V = TypeVar("V")


def remembered(cache: OrderedDict[K, V], key: K, make: Callable[[], V], size: int = 512) -> V:
    """`make()` once per key while the key stays among the `size` most recently used."""
    if key in cache:
        cache.move_to_end(key)
    else:
        cache[key] = make()
        if len(cache) > size:
            cache.popitem(last=False)
    return cache[key]


class ValidatedOnce(SchemaExtension):
    """Validate each distinct document once per schema.

    strawberry's ValidationCache keys on the rule classes too, and the depth, alias and token
    limiters make new rule classes for every request, so it never hits; validating a
    mutation document against this schema costs milliseconds. The rules of a schema built
    here never change, so the query text (with the schema) is a sound key."""

    results: OrderedDict[tuple[int, str], list[GraphQLError]] = OrderedDict()

    def on_validate(self) -> Iterator[None]:
        context, document = self.execution_context, self.execution_context.graphql_document
        assert document is not None
        context.pre_execution_errors = remembered(
            self.results, (id(context.schema), context.query or ""),
            lambda: validate_document(context.schema._schema, document, context.validation_rules))
        yield


class PlainArguments(SchemaExtension):
    """Refuse a query whose arguments or variables hold text no form field holds (control
    characters, NUL, lone surrogates), naming where; nothing is resolved. Mutations are
    checked by the commands themselves, which name the field with its Chinese label."""

    def on_validate(self) -> Iterator[None]:
        # Before the yield: strawberry stops on these errors inside the validation step.
        # (ValidatedOnce, listed before, has already set the document's own errors.)
        self.refuse_unsafe_text()
        yield

    def refuse_unsafe_text(self) -> None:
        context = self.execution_context
        try:
            if context.operation_type == OperationType.MUTATION:
                return
        except (RuntimeError, ValueError, GraphQLError):  # no such operation: validation has said so
            return
        found = [*unsafe_variables(context.variables or {}, "$"), *self.literals_of(context)]
        if found:
            where, code = found[0]
            error = GraphQLError(f"{where} contains the character U+{code:04X}, which no form field holds",
                                 extensions={"rule": "text.control_character", "field": where})
            context.pre_execution_errors = [*(context.pre_execution_errors or []), error]

    # The literals are the document's: a portal's few documents are walked once each, not per request.
    literals: OrderedDict[str, list[tuple[str, int]]] = OrderedDict()

    def literals_of(self, context: Any) -> list[tuple[str, int]]:
        return remembered(self.literals, context.query or "", lambda: list(unsafe_literals(context.graphql_document)))


def unsafe_variables(value: object, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(value, str):
        for character in value:
            if unsafe_text(character):
                yield path, ord(character)
                return
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from unsafe_variables(key, path)
            yield from unsafe_variables(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from unsafe_variables(inner, f"{path}[{index}]")


def unsafe_literals(document: DocumentNode | None) -> Iterator[tuple[str, int]]:
    if document is None:
        return
    found: list[tuple[str, int]] = []

    class Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> None:
            found.extend(unsafe_variables(node.value, "an argument"))

    visit(document, Strings())
    yield from found


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
    # Portals send the same few documents over and over: parse and validate each once
    # (strawberry keeps these LRU caches at module level; the extension objects are per request).
    extensions: list = [
        lambda: ParserCache(maxsize=512),
        ValidatedOnce,
        PlainArguments,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=should_mask, error_message="Unexpected error; it has been logged."),
    ]
    if not introspection:
        extensions.append(DisableIntrospection())
    if statement_count:
        extensions.append(StatementCount)
    query = merge_types("Query", (CodeQueries, PersonQueries, UnitQueries, CohortQueries, DocumentQueries,
                                  RequestQueries, RegisterQueries, ReportQueries))
    mutation = merge_types("Mutation", (mutation_type(), DocumentMutations))
    return LedgerSchema(query=query, mutation=mutation, extensions=extensions,
                        execution_context_class=PlainFieldExecutor)
