"""A transfer (转移接续, seed 003 item 11) as two linked requests, one in each region.

The destination's office accepts the application and sends the contact letter (联系函): that
opens the leaving region's request, received that day, whose completion records the transfer
out and sends the information sheet (信息表) back; the destination completes its request
(the transfer in) within its days of the sheet. Each step's deadline is the catalogue's.
"""

from __future__ import annotations

from domain.command import Command, Context
from domain.errors import refuse
from domain.person.state import Person
from domain.person.transfers import decide_transfer_out
from domain.processes import Decided, Effects, Streams
from domain.requests import events as ev
from domain.requests.carried import carried_command, transfer_of
from domain.requests.catalogue import catalogue
from domain.requests.commands import IssueContactLetter
from domain.requests.state import INFORMATION_SHEET, ServiceRequest, request_stream


def open_leaving_request(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    letters = [e for e in decided.events if isinstance(e, ev.ContactLetterIssued)]
    if not letters or not isinstance(command, IssueContactLetter):
        return {}
    destination: ServiceRequest = decided.after
    person = ctx.carried.subject if ctx.carried else None
    enrollment = person.enrollments.get(command.enrollment_id) if isinstance(person, Person) else None
    if enrollment is None or not enrollment.is_open:
        raise refuse("enrollment_id", "transfer.unknown_enrollment", "no open enrollment of this person has that id")
    assert destination.request_id is not None
    arguments: dict[str, str | None] = {"effective": ctx.today.isoformat(), "enrollment_id": str(command.enrollment_id),
                 "target_region": destination.region, "direction": command.direction,
                 "transfer_id": str(transfer_of(destination.request_id))}
    transfer_out = carried_command("TransferOut", destination.certificate_type, destination.id_number, None,
                                   arguments)
    decide_transfer_out(transfer_out, person, ctx)  # type: ignore[arg-type]  # refused now rather than later
    out_request = letters[0].other_request
    return {request_stream(out_request): [
        ev.RequestApplied(
            effective=ctx.today, request_id=out_request, item_code=destination.item_code,
            catalogue_version=catalogue().version, command="TransferOut",
            certificate_type=destination.certificate_type, id_number=destination.id_number, arguments=arguments,
            region=enrollment.region, linked_request=destination.request_id, step=INFORMATION_SHEET),
        ev.RequestAccepted(effective=ctx.today, office=None),  # received with the letter, over the platform
    ]}


def pass_information_sheet(command: Command, decided: Decided, ctx: Context, streams: Streams) -> Effects:
    leaving: ServiceRequest = decided.after
    completed = any(isinstance(e, ev.RequestCompleted) for e in decided.events)
    if not (completed and leaving.linked_request and leaving.step == INFORMATION_SHEET):
        return {}
    assert leaving.request_id is not None
    return {request_stream(leaving.linked_request): [ev.InformationSheetReceived(
        effective=ctx.today, office=ctx.actor.region, other_request=leaving.request_id)]}
