"""A service request's state: its stage, its steps (who, which office, when) and its terms.
No rules here; deadlines are derived (domain/requests/deadlines.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import reduce
from types import MappingProxyType
from uuid import UUID, uuid5

from domain.event import Event
from domain.requests import events as ev
from domain.requests.commands import Material

REQUEST_NAMESPACE = UUID("0b7f4f36-6a55-5d2e-9b8e-3c7f0f5a2d11")

NONE, APPLIED, ACCEPTED, APPROVED, REJECTED, COMPLETED = "none", "applied", "accepted", "approved", "rejected", \
    "completed"
STAGE_LABELS = {APPLIED: "申请", ACCEPTED: "受理", APPROVED: "审核通过", REJECTED: "审核不通过", COMPLETED: "办结"}
# Steps within a stage: a transfer's letters (seed 003 item 11). They do not change the stage.
CONTACT_LETTER, INFORMATION_SHEET = "contact_letter", "information_sheet"
STEP_LABELS = {**STAGE_LABELS, CONTACT_LETTER: "发出联系函", INFORMATION_SHEET: "收到信息表"}
FINISHED = (REJECTED, COMPLETED)


def request_stream(request_id: UUID) -> UUID:
    return uuid5(REQUEST_NAMESPACE, str(request_id))


@dataclass(frozen=True)
class Step:
    stage: str
    on: date
    office: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ServiceRequest:
    stage: str = NONE
    request_id: UUID | None = None
    item_code: str = ""
    catalogue_version: str = ""
    command: str = ""
    certificate_type: str = "01"
    id_number: str | None = None
    unit_code: str | None = None
    arguments: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    materials: tuple[Material, ...] = ()
    region: str = ""
    online_review: bool = False
    note: str | None = None
    linked_request: UUID | None = None
    step: str | None = None  # the catalogue step it is, for a linked request
    steps: tuple[Step, ...] = ()

    def on(self, stage: str) -> Step | None:
        """The step that reached `stage`, if it was reached."""
        return next((s for s in self.steps if s.stage == stage), None)

    @property
    def rejection(self) -> str | None:
        step = self.on(REJECTED)
        return step.reason if step else None


INITIAL = ServiceRequest()


def _step(request: ServiceRequest, stage: str, event: Event, office: str | None, reason: str | None = None,
          ) -> ServiceRequest:
    return replace(request, stage=stage, steps=(*request.steps, Step(stage, event.effective, office, reason)))


def evolve(request: ServiceRequest, event: Event) -> ServiceRequest:
    if isinstance(event, ev.RequestApplied):
        applied = replace(
            request, request_id=event.request_id, item_code=event.item_code,
            catalogue_version=event.catalogue_version, command=event.command,
            certificate_type=event.certificate_type, id_number=event.id_number, unit_code=event.unit_code,
            arguments=MappingProxyType(dict(event.arguments)), materials=event.materials, region=event.region,
            online_review=event.online_review, note=event.note, linked_request=event.linked_request,
            step=event.step)
        return _step(applied, APPLIED, event, None)
    if isinstance(event, ev.RequestAccepted):
        return _step(request, ACCEPTED, event, event.office)
    if isinstance(event, ev.RequestApproved):
        return _step(request, APPROVED, event, event.office)
    if isinstance(event, ev.RequestRejected):
        return _step(request, REJECTED, event, event.office, event.reason)
    if isinstance(event, ev.RequestCompleted):
        return _step(request, COMPLETED, event, event.office)
    if isinstance(event, ev.ContactLetterIssued | ev.InformationSheetReceived):
        step = CONTACT_LETTER if isinstance(event, ev.ContactLetterIssued) else INFORMATION_SHEET
        return replace(request, steps=(*request.steps, Step(step, event.effective, event.office)))
    return request


def fold(events: Iterable[Event], request: ServiceRequest = INITIAL) -> ServiceRequest:
    return reduce(evolve, events, request)
