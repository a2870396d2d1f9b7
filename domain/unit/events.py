"""What is recorded about a unit (参保单位): its lifecycle, its roster, its confirmations."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.event import Event


class UnitRegistered(Event):
    topic = "unit.registered"
    change_type = "01"
    unit_code: str
    name: str
    unit_type: str
    management_type: str
    region: str
    finance_funded: bool = False


class UnitInfoChanged(Event):
    topic = "unit.info_changed"
    change_type = "13"
    changes: dict[str, tuple[str | None, str | None]]
    overrode_lock: str | None = None


class UnitContributionsInterrupted(Event):
    topic = "unit.contributions_interrupted"
    change_type = "02"


class UnitContributionsResumed(Event):
    topic = "unit.contributions_resumed"
    change_type = "03"


class UnitCancelled(Event):
    topic = "unit.cancelled"
    change_type = "09"
    suspend_staff: bool


class UnitMergedInto(Event):
    topic = "unit.merged_into"
    change_type = "15"
    successor_code: str


class UnitAbsorbed(Event):
    topic = "unit.absorbed"
    change_type = "15"
    absorbed_code: str


class UnitSplit(Event):
    topic = "unit.split"
    change_type = "05"
    successor_codes: tuple[str, ...]


class StaffJoined(Event):
    """Kept on the unit's stream so that roster rules hold under concurrency."""

    topic = "unit.staff_joined"
    person_id: UUID
    enrollment_id: UUID


class StaffLeft(Event):
    topic = "unit.staff_left"
    person_id: UUID
    enrollment_id: UUID


class StaffCorrectedThroughUnit(Event):
    """A unit-channel correction of a staff member, recorded on the unit to meet its lock."""

    topic = "unit.staff_corrected"
    person_id: UUID


class UnitDataConfirmed(Event):
    """The unit confirmed its data in a verification campaign (核对确认); locked until then."""

    topic = "unit.data_confirmed"
    campaign_id: str
    locked_until: date
    outside_window: bool = False  # an office confirmed for the unit after its window, on evidence
