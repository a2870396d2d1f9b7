"""One mutation per domain command, generated from the command's pydantic model.

Every input carries a `commandId`: sending the same id again records nothing new and
returns the first result. The answer is either the recorded events or the refused fields
(API name, Chinese label, rule, message) — and then nothing was written.
"""

from __future__ import annotations

import re
import types
from dataclasses import replace
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID

import strawberry
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined
from strawberry.types import Info

from application.routing import ROUTES
from domain import commands as cmd
from domain.access import Principal
from domain.command import Context
from domain.errors import ConcurrencyConflict, DomainError, FieldError, invalid_input
from domain.events import Actor
from domain.policy import CHANNEL_OF
from ledger_api.context import RequestContext
from ledger_api.persons import HistoryEvent


@strawberry.type(description="A refused field: its API name, Chinese label, the rule broken, and why.")
class FieldErrorView:
    field: str
    label: str
    rule: str
    message: str

    @staticmethod
    def of(e: FieldError) -> FieldErrorView:
        return FieldErrorView(field=e.api_name, label=e.label, rule=e.rule, message=e.message)


@strawberry.type(description="What a command recorded, or why it was refused (then nothing was recorded).")
class CommandResult:
    ok: bool
    replayed: bool = strawberry.field(description="True when this command id had already been recorded.")
    events: list[HistoryEvent]
    errors: list[FieldErrorView]


@strawberry.input(description="One field of a correction: its name (snake_case) and its corrected value.")
class FieldChangeInput:
    field: str
    value: str | None


@cache
def nested_input(model: type[BaseModel]) -> type:
    """A GraphQL input for a value object a command holds (a request's material)."""
    annotations = {name: graphql_type(field.annotation) for name, field in model.model_fields.items()}
    return strawberry.input(type(f"{model.__name__}Input", (), {"__annotations__": annotations}),
                            description=(model.__doc__ or model.__name__).strip().splitlines()[0])


DATED_BY_THE_CLOCK = ("effective",)


def graphql_type(annotation: Any) -> Any:
    """The GraphQL input type for a command field's Python type."""
    origin = get_origin(annotation)
    if origin is Literal:  # a closed set of strings: the command's model refuses the others by name
        return str
    if origin is dict:
        return list[FieldChangeInput]
    if origin is tuple:
        inner = get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return list[nested_input(inner)]  # type: ignore[misc]  # built from the command's own field
        return list[inner]  # type: ignore[valid-type]  # built from the command's own field
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return graphql_type(inner[0]) | None
    return annotation


def input_type(command: type[cmd.Command]) -> type:
    annotations: dict[str, Any] = {"command_id": UUID}
    defaults: dict[str, Any] = {}
    for name, field in command.model_fields.items():
        if name in DATED_BY_THE_CLOCK and not field.is_required():
            continue  # a request's steps are dated by the ledger's clock, not by the caller
        annotations[name] = graphql_type(field.annotation)
        if field.default_factory is not None or isinstance(field.default, tuple):
            annotations[name] = annotations[name] | None  # left out: the command's own default applies
            defaults[name] = None
        elif field.default is not PydanticUndefined:
            defaults[name] = field.default
    annotations |= {"evidence": list[str] | None, "service_item": str | None}
    defaults |= {"evidence": None, "service_item": None}
    ordered = dict(sorted(annotations.items(), key=lambda item: item[0] in defaults))  # required first
    namespace = {"__annotations__": ordered, **defaults}
    return strawberry.input(type(f"{command.__name__}Input", (), namespace),
                            description=(command.__doc__ or command.__name__).strip().splitlines()[0])


def command_fields(command: type[cmd.Command], given: Any) -> dict[str, Any]:
    values = {}
    for name, field in command.model_fields.items():
        value = getattr(given, name, None)
        if value is None and name in DATED_BY_THE_CLOCK and not field.is_required():
            continue
        if value is None and (field.default_factory is not None or isinstance(field.default, tuple)):
            continue
        if isinstance(value, list) and value and isinstance(value[0], FieldChangeInput):
            value = {change.field: change.value for change in value}
        elif isinstance(value, list):
            value = [vars(v) if hasattr(v, "__strawberry_definition__") else v for v in value]
        values[name] = value
    return values


def refused_input(error: ValidationError) -> list[FieldErrorView]:
    return [FieldErrorView.of(e) for e in invalid_input(error)]


def refused_result(refused: DomainError, who: Principal | None = None) -> CommandResult:
    errors = [FieldErrorView.of(e) for e in refused.errors]
    if who is not None and who.role in OUTSIDE_SCOPE_REDACTED:
        errors = [replace(e, message=within_scope(who, e.message)) for e in errors]
    return CommandResult(ok=False, replayed=False, events=[], errors=errors)


# A unit agent or a person sees refusals about their own records; what a rule says of records
# outside their scope (another unit's enrollment, its region, its id) is left out.
OUTSIDE_SCOPE_REDACTED = ("unit_agent", "person")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_REGION = re.compile(r"(?<![0-9A-Z])[0-9]{6}(?![0-9A-Z])")
_UNIT = re.compile(r"(?<![0-9A-Z])(?=[0-9A-Z]*[A-Z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Z])")


def within_scope(who: Principal, message: str) -> str:
    message = _UUID.sub("(另一参保记录)", message)
    message = _REGION.sub("(另一统筹区)", message)
    return _UNIT.sub(lambda found: found.group() if found.group() == who.unit_code else "(另一单位)", message)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resolver_for(command: type[cmd.Command], given_type: type):
    async def resolve(info: Info, input: Any) -> CommandResult:  # noqa: A002 — GraphQL's conventional name
        context: RequestContext = info.context
        who = context.who()
        try:
            command_ = command.model_validate(command_fields(command, input))
        except ValidationError as bad:
            return CommandResult(ok=False, replayed=False, events=[], errors=refused_input(bad))
        except DomainError as refused:  # text no form holds: named like any refusal
            return refused_result(refused, who)
        provenance = Context(
            command_id=input.command_id, now=context.now(), evidence=tuple(input.evidence or ()),
            service_item=input.service_item, channel=CHANNEL_OF.get(who.role, who.role),
            actor=Actor(kind=who.role, id=who.subject, region=who.region, unit_code=who.unit_code))
        try:
            # The ledger authorises on the state it loads for the command, in one trip to the worker thread.
            outcome = await context.call(context.backend.ledger.execute, command_, provenance, who)
        except DomainError as refused:
            return refused_result(refused, who)
        except ConcurrencyConflict as busy:  # retried already; say so rather than fail obscurely
            return CommandResult(
                ok=False,
                replayed=False,
                events=[],
                errors=[FieldErrorView.of(FieldError("command_id", "concurrency.conflict", str(busy)))],
            )
        return CommandResult(
            ok=True, replayed=outcome.replayed, events=[HistoryEvent.of(r) for r in outcome.events], errors=[]
        )

    resolve.__annotations__ = {"info": Info, "input": given_type, "return": CommandResult}
    return resolve


def mutation_type() -> type:
    """One mutation per routed command, named after it (RegisterPerson → registerPerson)."""
    namespace = {}
    for command in (route.command for route in ROUTES.values() if route.api):
        given_type = input_type(command)
        namespace[snake(command.__name__)] = strawberry.mutation(
            resolver=resolver_for(command, given_type),
            description=(command.__doc__ or command.__name__).strip().splitlines()[0],
        )
    return strawberry.type(type("Mutation", (), namespace))


__all__ = ["mutation_type"]
