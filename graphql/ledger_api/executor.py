"""Field execution with a short way for plain fields.

Most fields the portals read are plain attributes of a result object (a duplicate set's
`idNumber`, a history event's `validDate`, an edge's `node`). graphql-core resolves every one
of them through its general path — a resolve-info object, strawberry's resolver wrapper, the
awaitable checks, the non-null and list wrappers unpacked — about 10 µs a field on this
machine: for a page of 50 duplicate sets that is most of the request. A strawberry field with
no resolver and no field extensions ("basic": `_is_default` on its resolver) is "plain".

Two short ways, each answering exactly as graphql-core would:
- a plain field whose type is a scalar, an enum, or an object type without an `is_type_of`
  check is read here with `getattr`; a leaf is coerced as graphql-core coerces any leaf, an
  object's selection is executed as graphql-core executes it, and errors are located and
  propagated exactly as graphql-core does;
- a plain object or list field whose whole selection below is plain (a page's `edges`, each
  `node` and its leaves), and a list a resolver returned whose items' selection is plain (a
  person's history), is completed in one loop by a completer compiled once per request for
  that selection. It declines — raises — at anything graphql-core would treat specially (a
  null where the schema says non-null, an error or awaitable as a value, a leaf that does not
  coerce, a list that is not a list or tuple); the field then takes the first way or
  graphql-core's, which answer with graphql-core's own errors at their paths.
Every other field (interfaces, unions, resolvers, arguments) takes graphql-core's own path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any, NamedTuple

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType, is_leaf_type
from graphql.pyutils import Path, Undefined
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

Completer = Callable[[Any], Any]


class Plain(NamedTuple):
    """How to read a plain field: its attribute, its type unwrapped, and what graphql-core needs."""

    attribute: str
    inner: Any  # the type without its non-null wrapper
    leaf: bool
    single: bool  # a leaf, or an object type without is_type_of: the first short way applies
    non_null: bool
    field_type: GraphQLOutputType


class Declined(Exception):
    """A value the one-loop completion leaves to graphql-core's way."""


UNPLANNED: Any = object()
NOT_FLAT: Any = object()


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
        if not plan.leaf:
            completer = self._completer(plan.field_type, field_details_list)
            if completer is not None:
                try:
                    return completer(getattr(source, plan.attribute))
                except Exception:  # noqa: BLE001, S110 — declined or failed: graphql-core's way says how
                    pass
            if not plan.single:
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
        if definition is None:
            return None
        inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        leaf = is_leaf_type(inner)
        single = leaf or (isinstance(inner, GraphQLObjectType) and inner.is_type_of is None)
        return Plain(definition.python_name, inner, leaf, single, isinstance(field_def.type, GraphQLNonNull),
                     field_def.type)

    def complete_list_value(self, return_type: GraphQLList[Any], field_details_list: Any, info: Any, path: Path,
                            result: Any, position_context: Any) -> Any:
        """A list a resolver returned (a person's history, a unit's roster) whose items' selection
        is plain: completed in one loop too, else as graphql-core completes it."""
        if not self.wraps_resolvers:
            completer = self._completer(return_type, field_details_list)
            if completer is not None:
                try:
                    return completer(result)
                except Exception:  # noqa: BLE001, S110 — declined or failed: graphql-core's way says how
                    pass
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    @cached_property
    def _completers(self) -> dict[tuple[int, int], tuple[Any, Completer | None]]:
        # Keyed as graphql-core memoises collected subfields, by the identity of the field list
        # (kept alive beside its completer so the identity cannot be reused), and by the type.
        return {}

    def _completer(self, field_type: GraphQLOutputType, field_details_list: Any) -> Completer | None:
        key = (id(field_details_list), id(field_type))
        known = self._completers.get(key)
        if known is None:
            known = self._completers[key] = (field_details_list, self._compile(field_type, field_details_list))
        return known[1]

    def _compile(self, field_type: GraphQLOutputType, field_details_list: Any) -> Completer | None:
        """A completer for values of `field_type` under this selection, or None if any part of
        it is not plain (or asks for incremental delivery)."""
        non_null = isinstance(field_type, GraphQLNonNull)
        inner: Any = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        if any(details.defer_usage is not None or details.fragment_variable_values is not None
               or any(d.name.value not in ("skip", "include") for d in details.node.directives or ())
               for details in field_details_list):
            return None
        if is_leaf_type(inner):
            return leaf_completer(inner, non_null)
        if isinstance(inner, GraphQLList):
            item = self._compile(inner.of_type, field_details_list)
            return None if item is None else list_completer(item, non_null)
        if not isinstance(inner, GraphQLObjectType) or inner.is_type_of is not None:
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(inner, field_details_list)
        if new_defer_usages:
            return None
        fields: list[tuple[str, str | None, Any]] = []
        for response_name, sub_details in grouped.items():
            node = sub_details[0].node
            if node.name.value == "__typename":
                fields.append((response_name, None, inner.name))
                continue
            plan = self.plans.get((inner, node.name.value), UNPLANNED)
            if plan is UNPLANNED:
                plan = self.plans[(inner, node.name.value)] = self._plan(inner, node.name.value)
            sub = None if plan is None or node.arguments else self._compile(plan.field_type, sub_details)
            if sub is None:
                return None
            fields.append((response_name, plan.attribute, sub))
        return object_completer(fields, non_null)


def absent(value: Any, non_null: bool) -> bool:
    """Whether a value is a null the schema allows; declines a null where it does not, and what
    graphql-core treats specially wherever a value is: an error, or something to await."""
    if value is None or value is Undefined:
        if non_null:
            raise Declined
        return True
    if isinstance(value, Exception) or optimized_is_awaitable(value):
        raise Declined
    return False


def leaf_completer(leaf_type: Any, non_null: bool) -> Completer:
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        if absent(value, non_null):
            return None
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise Declined
        return coerced

    return complete


def list_completer(item: Completer, non_null: bool) -> Completer:
    def complete(value: Any) -> Any:
        if absent(value, non_null):
            return None
        if not isinstance(value, (list, tuple)):
            raise Declined
        return [item(each) for each in value]

    return complete


def object_completer(fields: list[tuple[str, str | None, Any]], non_null: bool) -> Completer:
    def complete(value: Any) -> Any:
        if absent(value, non_null):
            return None
        return {name: sub if attribute is None else sub(getattr(value, attribute)) for name, attribute, sub in fields}

    return complete
