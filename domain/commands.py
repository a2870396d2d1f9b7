"""Commands: what a caller asks the ledger to do. Raw strings in; deciders validate them.

Provenance (command id, actor, channel, evidence) travels beside a command in `Context`.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.events import Actor


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
        return self.now.date()


# ---- person -------------------------------------------------------------------------


class PersonCommand(Command):
    certificate_type: str = "01"
    id_number: str


class RegisterPerson(PersonCommand):
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
    insurance_type: str
    region: str
    pooling_region: str | None = None  # defaults to the region itself
    unit_code: str
    person_type: str


class Suspend(PersonCommand):
    enrollment_id: UUID
    reason: str


class Resume(PersonCommand):
    enrollment_id: UUID
    unit_code: str | None = None


class Terminate(PersonCommand):
    enrollment_id: UUID
    reason: str


class Retire(PersonCommand):
    pass


class Die(PersonCommand):
    pass


class TransferOut(PersonCommand):
    enrollment_id: UUID
    target_region: str
    direction: str
    transfer_id: UUID


class TransferIn(PersonCommand):
    transfer_id: UUID
    insurance_type: str
    region: str
    pooling_region: str | None = None
    unit_code: str
    person_type: str


class ChangePersonType(PersonCommand):
    enrollment_id: UUID
    person_type: str


class MoveToSuccessorUnit(PersonCommand):
    enrollment_id: UUID
    unit_code: str


class CorrectBaseInfo(PersonCommand):
    changes: dict[str, str | None] = Field(min_length=1)


class CorrectEnrollment(PersonCommand):
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
    name: str
    unit_type: str
    management_type: str = "01"
    region: str
    finance_funded: bool = False


class ChangeUnitInfo(UnitCommand):
    changes: dict[str, str | None] = Field(min_length=1)


class InterruptUnitContributions(UnitCommand):
    pass


class ResumeUnitContributions(UnitCommand):
    pass


class CancelUnit(UnitCommand):
    suspend_staff: bool


class MergeUnit(UnitCommand):
    successor_code: str


class SplitUnit(UnitCommand):
    successor_codes: tuple[str, ...] = Field(min_length=1)


class OpenCampaign(Command):
    campaign_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    region: str
    export_from: date
    export_to: date
    correction_from: date
    correction_to: date
    locked_until: date


class ConfirmUnitData(UnitCommand):
    campaign_id: str
