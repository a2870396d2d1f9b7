"""What callers ask of a unit's record (参保单位)."""

from __future__ import annotations

from pydantic import Field

from domain.command import UNIT_PORTAL, Command


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

    channels = frozenset({UNIT_PORTAL})

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


class ConfirmUnitData(UnitCommand):
    """A unit confirms its data in a campaign; unit-channel corrections lock until the campaign's end (确认)."""

    channels = frozenset({UNIT_PORTAL})

    campaign_id: str
