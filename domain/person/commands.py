"""What callers ask of a person's record. Raw strings in; the deciders validate them.

Each command says which channels may send it besides an insurance office (`channels`) and
whether a unit filing it must attach proof (`needs_proof`): the access policy reads these
(domain/policy.py), so a new command declares its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from domain.command import PERSON_PORTAL, UNIT_PORTAL, Command


class PersonCommand(Command):
    certificate_type: str = "01"
    id_number: str


class RegisterPerson(PersonCommand):
    """Register a person's base information (人员基本信息登记)."""

    channels = frozenset({UNIT_PORTAL})

    name: str
    gender: str
    birth_date: date
    ethnicity: str
    nationality: str = "CHN"
    civil_servant: bool = False
    phone: str | None = None
    household_region: str | None = None
    address: str | None = None


class Enroll(PersonCommand):
    """Enroll a person: employee through a unit, flexible worker through its virtual unit, resident through a community or school; riders attach to the employee enrollment (新参保)."""  # noqa: E501 — one line: the mutation's description

    channels = frozenset({UNIT_PORTAL})

    insurance_type: str
    region: str
    pooling_region: str | None = None  # defaults to the region itself
    unit_code: str
    person_type: str


class Suspend(PersonCommand):
    """Suspend or interrupt an enrollment with a 63xx reason; its riders follow (暂停/中断)."""

    channels = frozenset({UNIT_PORTAL})

    enrollment_id: UUID
    reason: str


class Resume(PersonCommand):
    """Resume a suspended enrollment, optionally with a new employer (恢复缴费)."""

    channels = frozenset({UNIT_PORTAL})

    enrollment_id: UUID
    unit_code: str | None = None


class Terminate(PersonCommand):
    """End an enrollment with a 64xx reason; its riders follow (终止)."""

    channels = frozenset({UNIT_PORTAL})

    enrollment_id: UUID
    reason: str


class Retire(PersonCommand):
    """An in-service employee retires (在职转退休, 6501)."""

    channels = frozenset({UNIT_PORTAL})
    needs_proof = True


class Die(PersonCommand):
    """Record a death: every open enrollment ends (6401)."""

    channels = frozenset({UNIT_PORTAL})
    needs_proof = True


class TransferOut(PersonCommand):
    """Transfer an enrollment out to another region; the transfer id links both ends (转出)."""

    enrollment_id: UUID
    target_region: str
    direction: str
    transfer_id: UUID


class TransferIn(PersonCommand):
    """Arrive in the new region under a transfer id issued by the transfer out (转入)."""

    transfer_id: UUID
    insurance_type: str
    region: str
    pooling_region: str | None = None
    unit_code: str
    person_type: str


class ChangePersonType(PersonCommand):
    """Change the person type of an enrollment (身份类型变更, 27)."""

    enrollment_id: UUID
    person_type: str


class MoveToSuccessorUnit(PersonCommand):
    """Carry staff to a successor unit after a merger or split (37)."""

    enrollment_id: UUID
    unit_code: str


class Freeze(PersonCommand):
    """Freeze a person's record pending a check (冻结, 31); only an office may do so."""

    note: str = Field(min_length=1)


class Unfreeze(PersonCommand):
    """Lift a freeze (解冻, 32)."""


class CorrectBaseInfo(PersonCommand):
    """Correct base information; during a confirmed lock only an office, with evidence (35)."""

    channels = frozenset({UNIT_PORTAL, PERSON_PORTAL})
    # What a person may correct of their own record through their portal.
    self_service_fields: ClassVar[frozenset[str]] = frozenset({"phone", "address"})

    changes: dict[str, str | None] = Field(min_length=1)


class CorrectEnrollment(PersonCommand):
    """Correct an enrollment retroactively, with a reason and evidence (36)."""

    channels = frozenset({UNIT_PORTAL})

    enrollment_id: UUID
    changes: dict[str, str | None] = Field(min_length=1)
    reason: str = Field(min_length=1)


class RecordContribution(PersonCommand):
    """Record one month's contribution of an enrollment (缴费记录): base, unit and personal parts, when paid."""

    insurance_type: str
    region: str
    unit_code: str
    base: Decimal = Field(ge=0, max_digits=12, decimal_places=2)  # 缴费基数
    unit_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)  # 单位缴纳
    personal_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)  # 个人缴纳
    paid_on: date | None = None
    source: Literal["tax", "legacy", "office"] = "office"  # the tax authority's file, an extract, a counter


class RemoveFakeEnrollment(PersonCommand):
    """Remove an enrollment found to be fake (清理虚假参保): it never existed; an office, on evidence such as the population-register comparison."""  # noqa: E501 — one line: the mutation's description

    enrollment_id: UUID


class MergeIdentity(PersonCommand):
    """Move the history of (certificate_type, id_number) to the target identity."""

    target_certificate_type: str = "01"
    target_id_number: str


class ImportLegacyEnrollment(PersonCommand):
    """One row of a legacy extract (seed 001 附件1), accepted as history."""

    name: str
    gender: str
    birth_date: date
    ethnicity: str
    nationality: str = "CHN"
    survival_status: str = "1"
    local_person_number: str | None = None
    phone: str | None = None
    household_region: str | None = None
    insurance_type: str
    region: str
    pooling_region: str
    unit_code: str
    unit_name: str | None = None
    person_type: str
    enrollment_status: str
    contribution_status: str
    start: date
    end: date | None = None  # 缴费截止年月: the last month paid, as its first day; the whole month counts
    region_name: str | None = None  # 参保地医保区划名称
    reason: str | None = None  # 参保状态变更原因
    source: str
    row: int
    # Legacy status 3 has no settled meaning: the import job says what it maps to.
    status_3_means: str | None = None
