"""The service request decider: 申请 → 受理 → 审核 (approve or reject) → 办结, as the catalogue
says for the item. The ledger command a request carries is decided by its own aggregate when
the request completes (application/service.py), in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

from domain.command import OFFICE, Context
from domain.errors import refuse
from domain.event import Event
from domain.requests import commands as cmd
from domain.requests import events as ev
from domain.requests.carried import with_transfer_id
from domain.requests.catalogue import Item, catalogue
from domain.requests.state import (
    ACCEPTED,
    APPLIED,
    APPROVED,
    CONTACT_LETTER,
    INFORMATION_SHEET,
    NONE,
    STAGE_LABELS,
    ServiceRequest,
)


def _at(request: ServiceRequest, *stages: str) -> None:
    if request.stage == NONE:
        raise refuse("request_id", "request.not_found", "no such request")
    if request.stage not in stages:
        wanted = "、".join(STAGE_LABELS[s] for s in stages)
        raise refuse("request_id", "request.stage",
                     f"the request is at {STAGE_LABELS[request.stage]}; this step needs it at {wanted}")


def _item_of(request: ServiceRequest) -> Item | None:
    return catalogue().items.get(request.item_code)


def _apply(c: cmd.ApplyForService, request: ServiceRequest, ctx: Context) -> list[Event]:
    if request.stage != NONE:
        raise refuse("request_id", "request.exists", f"request {c.request_id} has been applied for already")
    item = catalogue().item(c.item_code)
    if c.command not in item.commands:
        carries = "、".join(item.commands) or "no ledger command"
        raise refuse("command", "request.command_not_in_item",
                     f"{item.code} {item.name} carries {carries}, not {c.command}")
    attached = {m.name for m in c.materials}
    missing = [name for name in item.materials if name not in attached]
    if missing:
        raise refuse("materials", "request.material_missing", f"缺少办理材料：{'、'.join(missing)}")
    assert ctx.carried is not None, "the application gives a request's carried command"
    if not ctx.carried.region:
        raise refuse("id_number", "request.no_region", "the subject is insured nowhere yet: apply at an office")
    online_review = ctx.channel != OFFICE and c.command in item.online_review
    office = ctx.actor.region if ctx.channel == OFFICE else None
    today = ctx.today
    events: list[Event] = [ev.RequestApplied(
        effective=today, request_id=c.request_id, item_code=item.code, catalogue_version=catalogue().version,
        command=c.command, certificate_type=c.certificate_type, id_number=c.id_number, unit_code=c.unit_code,
        arguments=with_transfer_id(c.command, c.request_id, c.arguments), materials=c.materials,
        region=ctx.carried.region, online_review=online_review, note=c.note)]
    if online_review or item.hand_off:
        return events  # waits for an office of the insured region's city to accept it
    # At a counter the office that takes the application accepts it (窗口受理); online, the hall
    # accepts what needs no review and completes it at once (seed 002: 即时办理完成).
    events.append(ev.RequestAccepted(effective=today, office=office))
    if item.instant or ctx.channel != OFFICE:
        events.append(ev.RequestCompleted(effective=today, office=office))
    return events


def _accept(c: cmd.AcceptRequest, request: ServiceRequest, ctx: Context) -> list[Event]:
    _at(request, APPLIED)
    return [ev.RequestAccepted(effective=ctx.today, office=ctx.actor.region)]


def _approve(c: cmd.ApproveRequest, request: ServiceRequest, ctx: Context) -> list[Event]:
    _at(request, ACCEPTED)
    return [ev.RequestApproved(effective=ctx.today, office=ctx.actor.region)]


def _reject(c: cmd.RejectRequest, request: ServiceRequest, ctx: Context) -> list[Event]:
    _at(request, ACCEPTED)
    return [ev.RequestRejected(effective=ctx.today, office=ctx.actor.region, reason=c.reason)]


def _complete(c: cmd.CompleteRequest, request: ServiceRequest, ctx: Context) -> list[Event]:
    item = _item_of(request)
    reviewed = item is None or item.reviewed or request.online_review
    if reviewed:
        _at(request, APPROVED)
    else:
        _at(request, ACCEPTED, APPROVED)
    if item is not None and item.steps and request.step is None and not request.on(INFORMATION_SHEET):
        raise refuse("request_id", "request.waiting_for_sheet",
                     "the leaving region's information sheet (信息表) has not arrived: no transfer out is recorded")
    return [ev.RequestCompleted(effective=ctx.today, office=ctx.actor.region)]


def _letter(c: cmd.IssueContactLetter, request: ServiceRequest, ctx: Context) -> list[Event]:
    _at(request, ACCEPTED, APPROVED)
    item = _item_of(request)
    if item is None or not item.steps or request.step is not None:
        raise refuse("request_id", "request.no_contact_letter",
                     "only the destination's request of a transfer (转移接续) sends a contact letter")
    if request.on(CONTACT_LETTER):
        raise refuse("request_id", "request.contact_letter_sent", "the contact letter (联系函) has been sent already")
    return [ev.ContactLetterIssued(effective=ctx.today, office=ctx.actor.region,
                                   other_request=leaving_request_of(request))]


def leaving_request_of(request: ServiceRequest) -> UUID:
    """The id of the leaving region's request a transfer's contact letter opens."""
    assert request.request_id is not None
    return uuid5(request.request_id, "information_sheet")


DECIDERS: dict[type[cmd.RequestCommand], Callable[[Any, ServiceRequest, Context], list[Event]]] = {
    cmd.ApplyForService: _apply,
    cmd.AcceptRequest: _accept,
    cmd.ApproveRequest: _approve,
    cmd.RejectRequest: _reject,
    cmd.CompleteRequest: _complete,
    cmd.IssueContactLetter: _letter,
}


def decide(command: cmd.RequestCommand, request: ServiceRequest, ctx: Context) -> list[Event]:
    try:
        step = DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"not a request command: {type(command).__name__}") from None
    return step(command, request, ctx)
