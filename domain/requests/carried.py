"""The ledger command a request carries: rebuilt from what the applicant gave, and the insured
region whose office reviews and completes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from pydantic import ValidationError

from domain import commands as all_commands
from domain.command import Command
from domain.errors import DomainError, invalid_input, refuse
from domain.person.commands import PersonCommand
from domain.person.state import Person
from domain.unit.commands import UnitCommand
from domain.unit.state import Unit

# The ledger commands a request may carry: every person and unit command by its class name.
CARRIABLE: dict[str, type[Command]] = {
    name: kind for name, kind in vars(all_commands).items()
    if isinstance(kind, type) and issubclass(kind, PersonCommand | UnitCommand)
    and kind not in (PersonCommand, UnitCommand) and name != "ImportLegacyEnrollment"
}


TRANSFER_NAMESPACE = UUID("6d1c0a52-2f7e-5b7a-8f3e-5a9b4c1d2e07")
TRANSFERS = ("TransferIn", "TransferOut")


def transfer_of(request_id: UUID) -> UUID:
    """The transfer id both regions' requests record: derived from the destination's request."""
    return uuid5(TRANSFER_NAMESPACE, str(request_id))


def with_transfer_id(command: str, request_id: UUID, arguments: Mapping[str, str | None]) -> dict[str, str | None]:
    """A transfer request's arguments with the transfer id its two ends share, unless given."""
    if command in TRANSFERS and not arguments.get("transfer_id"):
        return {**arguments, "transfer_id": str(transfer_of(request_id))}
    return dict(arguments)


@dataclass(frozen=True)
class Carried:
    """A request's ledger command, decided on the state of its subject as loaded with the request."""

    command: Command
    subject: Any  # the Person or Unit it is addressed to
    region: str  # the insured region: its office reviews and completes the request


def carried_command(name: str, certificate_type: str, id_number: str | None, unit_code: str | None,
                    arguments: Mapping[str, str | None]) -> Command:
    kind = CARRIABLE.get(name)
    if kind is None:
        raise refuse("command", "request.unknown_command", f"“{name}” is not a ledger command a request can carry")
    fields: dict[str, Any] = {}
    for name, value in arguments.items():
        # "changes.phone" is the field `phone` of the command's mapping `changes`.
        outer, _, inner = name.partition(".")
        if inner:
            fields.setdefault(outer, {})[inner] = value
        else:
            fields[name] = value
    if issubclass(kind, PersonCommand):
        if not id_number:
            raise refuse("id_number", "required", f"{name} is about a person: give their ID number")
        fields |= {"certificate_type": certificate_type, "id_number": id_number}
    elif unit_code:
        fields["unit_code"] = unit_code
    try:
        return kind.model_validate(fields)
    except ValidationError as bad:
        raise DomainError(*invalid_input(bad)) from None


def insured_region(command: Command, subject: Any) -> str:
    """Where the subject is insured, as far as this command is concerned: the region it names,
    the enrollment it addresses, the person's open enrollment, or the unit's region."""
    named = getattr(command, "region", None)
    if named:
        return str(named).strip()
    if isinstance(subject, Person):
        enrollment_id = getattr(command, "enrollment_id", None)
        if enrollment_id in subject.enrollments:
            return subject.enrollments[enrollment_id].region
        open_ = sorted(subject.open_enrollments(), key=lambda e: e.start)
        return open_[-1].region if open_ else (subject.household_region or "")
    if isinstance(subject, Unit):
        return subject.region or ""
    return ""
