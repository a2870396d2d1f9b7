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
    note: str | None = None  # e.g. the contact with the person and their choice (seed 001 三(三))
    linked_request: UUID | None = None  # the request it serves (a transfer's other region)
    step: str | None = None  # the step of the catalogue item it is (a transfer's information_sheet)


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


class TransferStep(OfficeStep):
    """A letter between a transfer's two regions; `other_request` is the other region's request."""

    other_request: UUID


class ContactLetterIssued(TransferStep):
    """联系函 sent by the destination's office: the leaving region's request begins with it."""

    topic = "request.contact_letter_issued"


class InformationSheetReceived(TransferStep):
    """信息表 received from the leaving region (its request completed, the transfer out recorded)."""

    topic = "request.information_sheet_received"
