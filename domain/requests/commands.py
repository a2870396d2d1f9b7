"""What applicants and offices ask of a service request (申请, 受理, 审核, 办结)."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.command import PERSON_PORTAL, UNIT_PORTAL, Command
from domain.text import check_texts

MAX_MATERIAL_BYTES = 50 * 1024 * 1024  # a scanned form, not an archive
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Material(BaseModel):
    """An uploaded document a request refers to (办理材料): its name, content hash and size."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1)
    sha256: str
    size: int = Field(gt=0, le=MAX_MATERIAL_BYTES)

    @field_validator("sha256")
    @classmethod
    def _digest(cls, value: str) -> str:
        if not _SHA256.fullmatch(value.lower()):
            raise ValueError("a SHA-256 digest is 64 hexadecimal digits")
        return value.lower()

    @model_validator(mode="after")
    def _plain_text(self) -> Material:
        check_texts({"material": self.name})
        return self


class RequestCommand(Command):
    """A step of a request. Its date is the day it is taken (the ledger's clock), not given."""

    effective: date | None = None  # type: ignore[assignment]  # the step's day is today's
    request_id: UUID


class ApplyForService(RequestCommand):
    """Apply for a catalogue item (申请): the ledger command it carries, its subject, the materials."""

    channels: ClassVar[frozenset[str]] = frozenset({UNIT_PORTAL, PERSON_PORTAL})

    item_code: str
    command: str  # the ledger command to carry out when completed, e.g. Retire
    certificate_type: str = "01"
    id_number: str | None = None  # the person it is about (person commands)
    unit_code: str | None = None  # the unit it is about (unit commands)
    # The command's other fields by name; a field of a mapping as "changes.phone".
    arguments: dict[str, str | None] = Field(default_factory=dict)
    materials: tuple[Material, ...] = ()
    # What the applicant or the office records with it: e.g. the contact with the person and their choice.
    note: str | None = None


class AcceptRequest(RequestCommand):
    """Accept a request at an office (受理): any office of the city (一体化通办)."""


class ApproveRequest(RequestCommand):
    """Approve a request after review (审核通过): the office of the insured region."""


class RejectRequest(RequestCommand):
    """Reject a request after review (审核不通过) with a reason the applicant reads."""

    reason: str = Field(min_length=1)


class CompleteRequest(RequestCommand):
    """Complete a request (办结): its ledger command is recorded, with the request as its cause."""


class IssueContactLetter(RequestCommand):
    """Send the transfer's contact letter (联系函) to the office of the region it leaves; that office's
    request to issue the information sheet (信息表) begins with it (seed 003 item 11)."""

    enrollment_id: UUID  # the enrollment to be transferred out of the other region
    direction: str  # 转移方向 (national code table)
