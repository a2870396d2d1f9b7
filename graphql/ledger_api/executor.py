"""Field execution with a short way for plain fields.

Most fields the portals read are plain attributes of a result object (a duplicate set's
`idNumber`, a history event's `validDate`, an edge's `node`). graphql-core resolves every one
of them through its general path — a resolve-info object, strawberry's resolver wrapper, the
awaitable checks, the non-null and list wrappers unpacked — about 10 µs a field on this
machine: for a page of 50 duplicate sets that is most of the request. A strawberry field with
no resolver and no field extensions ("basic": `_is_default` on its resolver) whose type is a
scalar, an enum, or an object type without an `is_type_of` check is read here with `getattr`;
a leaf is coerced as graphql-core coerces any leaf, an object's selection is executed as
graphql-core executes it, and errors are located and propagated exactly as graphql-core does.
Every other field (lists, interfaces, unions, resolvers) takes graphql-core's own path.
"""

from __future__ import annotations

from collections.abc import Awaitable
from functools import cached_property
from typing import Any, NamedTuple

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLOutputType, is_leaf_type
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter


class Plain(NamedTuple):
    """How to read a plain field: its attribute, its type unwrapped, and what graphql-core needs."""

    attribute: str
    inner: Any  # a leaf type, or an object type without is_type_of
    leaf: bool
    non_null: bool
    field_type: GraphQLOutputType


UNPLANNED: Any = object()


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):  # type: ignore[misc]
    plans: dict[tuple[GraphQLObjectType, str], Plain | None] = {}

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Path,
                      position_context: Any) -> Any:
        node = field_details_list[0].node
        key = (parent_type, node.name.value)
        plan = self.plans.get(key, UNPLANNED)
        if plan is UNPLANNED:
            plan = self.plans[key] = self._plan(*key)
        if plan is None or node.arguments or self.wraps_resolvers:
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        try:
            value = getattr(source, plan.attribute)
            if self.is_awaitable(value):  # never so in this schema; graphql-core knows how to wait
                return super().execute_field(parent_type, source, field_details_list, path, position_context)
            if isinstance(value, Exception):
                raise value
            if value is None or value is Undefined:
                if plan.non_null:
                    raise TypeError(f"Cannot return null for non-nullable field {parent_type.name}.{key[1]}.")
                return None
            if plan.leaf:
                return self.complete_leaf_value(plan.inner, value)
            completed = self.collect_and_execute_subfields(plan.inner, field_details_list, path, value,
                                                           position_context)
        except Exception as raw_error:  # noqa: BLE001 — located and collected as graphql-core does
            self.handle_field_error(raw_error, plan.field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._settled(completed, plan.field_type, field_details_list, path)
        return completed

    async def _settled(self, completed: Awaitable[Any], field_type: GraphQLOutputType, field_details_list: Any,
                       path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:  # noqa: BLE001 — as graphql-core's execute_field
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None

    @cached_property  # one executor per request; its middleware does not change
    def wraps_resolvers(self) -> bool:
        """An extension that wraps resolvers (strawberry passes them as graphql-core middleware)
        must see every field: then no field takes the short way."""
        return bool(self.middleware_manager and self.middleware_manager.middlewares)

    def _plan(self, parent_type: GraphQLObjectType, name: str) -> Plain | None:
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None or field_def.args or not getattr(field_def.resolve, "_is_default", False):
            return None
        definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        leaf = is_leaf_type(inner)
        if definition is None or not (leaf or (isinstance(inner, GraphQLObjectType) and inner.is_type_of is None)):
            return None
        return Plain(definition.python_name, inner, leaf, isinstance(field_def.type, GraphQLNonNull), field_def.type)
