"""Field execution with a short way for plain leaves.

Most fields the portals read are plain attributes of a result object (a duplicate set's
`idNumber`, a history event's `validDate`) holding a scalar. graphql-core resolves every one
of them through its general path — a resolve-info object, strawberry's resolver wrapper, the
awaitable checks, the non-null and list wrappers unpacked — about 10 µs a field on this
machine: for a page of 50 duplicate sets that is most of the request. A strawberry field with
no resolver and no field extensions ("basic": `_is_default` on its resolver) is read here
with `getattr` and coerced as graphql-core coerces any leaf; errors are located and
propagated exactly as graphql-core does. Every other field takes graphql-core's own path.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, is_leaf_type, is_non_null_type
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# (parent type, field name) → how to read the field as a plain leaf, or None (the general path).
Plan = tuple[str, GraphQLLeafType, bool, Any] | None


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):  # type: ignore[misc]
    plans: dict[tuple[GraphQLObjectType, str], Plan] = {}

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Path,
                      position_context: Any) -> Any:
        node = field_details_list[0].node
        key = (parent_type, node.name.value)
        plan = self.plans[key] if key in self.plans else self.plans.setdefault(key, self._plan(*key))
        if plan is None or node.arguments or self.wraps_resolvers:
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        attribute, leaf, non_null, return_type = plan
        try:
            value = getattr(source, attribute)
            if self.is_awaitable(value):  # never so in this schema; graphql-core knows how to wait
                return super().execute_field(parent_type, source, field_details_list, path, position_context)
            if isinstance(value, Exception):
                raise value
            if value is None or value is Undefined:
                if non_null:
                    raise TypeError(f"Cannot return null for non-nullable field {parent_type.name}.{key[1]}.")
                return None
            return self.complete_leaf_value(leaf, value)
        except Exception as raw_error:  # noqa: BLE001 — located and collected as graphql-core does
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    @property
    def wraps_resolvers(self) -> bool:
        """An extension that wraps resolvers (strawberry passes them as graphql-core middleware)
        must see every field: then no field takes the short way."""
        return bool(self.middleware_manager and self.middleware_manager.middlewares)

    def _plan(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None or field_def.args or not getattr(field_def.resolve, "_is_default", False):
            return None
        definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        non_null = is_non_null_type(field_def.type)
        inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        if definition is None or not is_leaf_type(inner):
            return None
        return definition.python_name, inner, non_null, field_def.type
