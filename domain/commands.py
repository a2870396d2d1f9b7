"""Commands: what a caller asks the ledger to do. Raw strings in; deciders validate them.

Provenance (command id, actor, channel, evidence) travels beside a command in `Context`.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.clock import business_date
from domain.events import Actor, Meta


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    effective: date


class Context(BaseModel):
    """The circumstances of one command: who, through which channel, on what evidence, when."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    command_id: UUID
    actor: Actor
    channel: str = "office"
    service_item: str | None = None
    evidence: tuple[str, ...] = ()
    now: datetime

    @property
    def today(self) -> date:
        """The business date: Beijing's, whatever zone `now` was given in."""
        return business_date(self.now)

    def meta(self, command: str) -> Meta:
        """The provenance every event of this command carries (prev_hash is set per event)."""
        return Meta(command_id=self.command_id, command=command, recorded_at=self.now, actor=self.actor,
                    channel=self.channel, service_item=self.service_item, evidence=self.evidence)


# ---- person -------------------------------------------------------------------------


class PersonCommand(Command):
    certificate_type: str = "01"
    id_number: str


class RegisterPerson(PersonCommand):
    """Register a person's base information (人员基本信息登记)."""

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
    """Enroll a person: employee through a unit, flexible worker through its virtual unit, resident through a community or school; riders attach to the employee enrollment (新参保)."""

    insurance_type: str
    region: str
    pooling_region: str | None = None  # defaults to the region itself
    unit_code: str
    person_type: str


class Suspend(PersonCommand):
    """Suspend or interrupt an enrollment with a 63xx reason; its riders follow (暂停/中断)."""

    enrollment_id: UUID
    reason: str


class Resume(PersonCommand):
    """Resume a suspended enrollment, optionally with a new employer (恢复缴费)."""

    enrollment_id: UUID
    unit_code: str | None = None


class Terminate(PersonCommand):
    """End an enrollment with a 64xx reason; its riders follow (终止)."""

    enrollment_id: UUID
    reason: str


class Retire(PersonCommand):
    """An in-service employee retires (在职转退休, 6501)."""


class Die(PersonCommand):
    """Record a death: every open enrollment ends (6401)."""


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

    changes: dict[str, str | None] = Field(min_length=1)


class CorrectEnrollment(PersonCommand):
    """Correct an enrollment retroactively, with a reason and evidence (36)."""

    enrollment_id: UUID
    changes: dict[str, str | None] = Field(min_length=1)
    reason: str = Field(min_length=1)


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
    end: date | None = None
    source: str
    row: int
    # Legacy status 3 has no settled meaning: the import job says what it maps to.
    status_3_means: str | None = None


# ---- unit and campaign ----------------------------------------------------------------


class UnitCommand(Command):
    unit_code: str


class RegisterUnit(UnitCommand):
    """Register a unit or a virtual unit (单位参保登记, 01)."""

    name: str
    unit_type: str
    management_type: str = "01"
    region: str
    finance_funded: bool = False


class ChangeUnitInfo(UnitCommand):
    """Change a unit's information (信息维护, 13)."""

    changes: dict[str, str | None] = Field(min_length=1)


class InterruptUnitContributions(UnitCommand):
    """A unit interrupts its contributions (中断缴费, 02)."""


class ResumeUnitContributions(UnitCommand):
    """A unit resumes its contributions (恢复缴费, 03)."""


class CancelUnit(UnitCommand):
    """Cancel a unit, choosing whether to suspend its in-service staff at once (注销, 09; 同步暂停人员)."""

    suspend_staff: bool


class MergeUnit(UnitCommand):
    """Merge a unit into a successor (合并, 15)."""

    successor_code: str


class SplitUnit(UnitCommand):
    """Split a unit into successors (分立, 05)."""

    successor_codes: tuple[str, ...] = Field(min_length=1)


class OpenCampaign(Command):
    """Open a verification campaign with its export, correction and lock windows (核对)."""

    campaign_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    region: str
    export_from: date
    export_to: date
    correction_from: date
    correction_to: date
    locked_until: date


class ConfirmUnitData(UnitCommand):
    """A unit confirms its data in a campaign; unit-channel corrections lock until the campaign's end (确认)."""

    campaign_id: str
