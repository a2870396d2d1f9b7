"""What is recorded about a service request: each step, by whom (meta) and for which office."""

from __future__ import annotations

from uuid import UUID

from domain.event import Event
from domain.requests.commands import Material


class RequestApplied(Event):
    """申请: the item, the command it carries and its subject, the insured region, the materials."""

    topic = "request.applied"
    request_id: UUID
    item_code: str
    catalogue_version: str
    command: str
    certificate_type: str
    id_number: str | None = None
    unit_code: str | None = None
    arguments: dict[str, str | None]
    materials: tuple[Material, ...] = ()
    region: str  # the insured region, whose office reviews and completes
    online_review: bool = False  # filed online, waiting for an office's review (seed 002)


class OfficeStep(Event):
    """A step an office takes (or the online hall, when `office` is None): the office's region."""

    office: str | None = None


class RequestAccepted(OfficeStep):
    topic = "request.accepted"


class RequestApproved(OfficeStep):
    topic = "request.approved"


class RequestRejected(OfficeStep):
    """审核不通过; `reason` is what the applicant reads."""

    topic = "request.rejected"


class RequestCompleted(OfficeStep):
    topic = "request.completed"
