"""The unit (参保单位) decider: lifecycle, roster membership and campaign confirmations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from datetime import date
from typing import Any
from uuid import UUID

from domain import commands as cmd
from domain import events as ev
from domain.codes import table
from domain.errors import refuse
from domain.regions import validate_region
from domain.unit_codes import validate_credit_code
from domain.validation import Checks, required_text

PAYING, INTERRUPTED, CANCELLED = "2", "3", "4"  # 单位参保状态
VIRTUAL_UNITS = frozenset({"02", "03", "08"})  # 单位管理类型 whose number is local, not a credit code


@dataclass(frozen=True)
class Unit:
    registered: bool = False
    unit_code: str = ""
    name: str = ""
    unit_type: str = ""
    management_type: str = ""
    region: str = ""
    finance_funded: bool = False
    status: str = "1"
    staff: frozenset[tuple[UUID, UUID]] = frozenset()  # (person id, enrollment id)
    confirmations: dict[str, date] = field(default_factory=dict)  # campaign → locked until
    successor_codes: tuple[str, ...] = ()

    def lock_on(self, day: date) -> tuple[str, date] | None:
        """The campaign whose confirmation still locks unit-channel corrections on `day`."""
        live = [(until, campaign) for campaign, until in self.confirmations.items() if day <= until]
        if not live:
            return None
        until, campaign = max(live)
        return campaign, until

    def filing_days(self) -> range:
        """Days of the month the unit may file through the online hall (seed 002)."""
        return range(1, 19) if self.finance_funded else range(1, 25)


INITIAL = Unit()


def _changed(u: Unit, e: ev.UnitInfoChanged) -> Unit:
    updates: dict[str, Any] = {
        name: (now == "1") if name == "finance_funded" else now for name, (_, now) in e.changes.items()
    }
    return replace(u, **updates)


_EVOLVE: dict[type[ev.Event], Callable[[Unit, Any], Unit]] = {
    ev.UnitRegistered: lambda u, e: replace(
        u, registered=True, status=PAYING, **e.model_dump(exclude={"effective", "reason"})
    ),
    ev.UnitInfoChanged: _changed,
    ev.UnitContributionsInterrupted: lambda u, e: replace(u, status=INTERRUPTED),
    ev.UnitContributionsResumed: lambda u, e: replace(u, status=PAYING),
    ev.UnitCancelled: lambda u, e: replace(u, status=CANCELLED),
    ev.UnitMergedInto: lambda u, e: replace(u, status=CANCELLED, successor_codes=(e.successor_code,)),
    ev.UnitAbsorbed: lambda u, e: u,
    ev.UnitSplit: lambda u, e: replace(u, successor_codes=e.successor_codes),
    ev.StaffJoined: lambda u, e: replace(u, staff=u.staff | {(e.person_id, e.enrollment_id)}),
    ev.StaffLeft: lambda u, e: replace(u, staff=u.staff - {(e.person_id, e.enrollment_id)}),
    ev.StaffCorrectedThroughUnit: lambda u, e: u,
    ev.UnitDataConfirmed: lambda u, e: replace(
        u, confirmations={**u.confirmations, e.campaign_id: e.locked_until}
    ),
}


def evolve(unit: Unit, event: ev.Event) -> Unit:
    return _EVOLVE[type(event)](unit, event)


def fold(events: Iterable[ev.Event], unit: Unit = INITIAL) -> Unit:
    return reduce(evolve, events, unit)


def validate_unit_code(code: str, management_type: str, field_name: str = "unit_code") -> str:
    if management_type in VIRTUAL_UNITS:
        return required_text(code, field_name).upper()
    return validate_credit_code(code, field_name)


def require_unit(unit: Unit, code: str, field_name: str = "unit_code") -> Unit:
    if not unit.registered:
        raise refuse(field_name, "unit.not_registered", f"unit {code} is not registered")
    return unit


def _register(c: cmd.RegisterUnit, unit: Unit, _: cmd.Context) -> list[ev.Event]:
    if unit.registered:
        raise refuse("unit_code", "unit.already_registered", f"unit {c.unit_code} is already registered")
    checks = Checks()
    management = checks.run(table("unit_management_type").require, c.management_type, "management_type")
    code = checks.run(validate_unit_code, c.unit_code, management or "01")
    checks.run(table("unit_type").require, c.unit_type, "unit_type")
    checks.run(validate_region, c.region)
    checks.run(required_text, c.name, "name")
    checks.done()
    return [ev.UnitRegistered(
        effective=c.effective, unit_code=code, name=c.name.strip(), unit_type=c.unit_type,
        management_type=c.management_type, region=c.region, finance_funded=c.finance_funded,
    )]


UNIT_CORRECTABLE = {"name", "unit_type", "region", "finance_funded"}


def unit_channel_lock(unit: Unit, ctx: cmd.Context) -> tuple[str, date] | None:
    """Refuse a unit-channel correction during a lock; return the lock an office overrides."""
    lock = unit.lock_on(ctx.today)
    if lock is None:
        return None
    campaign, until = lock
    if ctx.channel == "unit_portal":
        raise refuse(
            "unit_code", "campaign.confirmed_lock",
            f"unit {unit.unit_code} confirmed its data in campaign {campaign}; corrections through "
            f"the unit channel are locked until {until:%Y-%m-%d}",
        )
    if not ctx.evidence:
        raise refuse("evidence", "campaign.override_needs_evidence",
                     f"unit {unit.unit_code} is locked by campaign {campaign} until {until:%Y-%m-%d}; "
                     "an office correction must cite evidence")
    return lock


def _change(c: cmd.ChangeUnitInfo, unit: Unit, ctx: cmd.Context) -> list[ev.Event]:
    require_unit(unit, c.unit_code)
    lock = unit_channel_lock(unit, ctx)
    changes: dict[str, tuple[str | None, str | None]] = {}
    checks = Checks()
    for name, value in c.changes.items():
        if name not in UNIT_CORRECTABLE:
            checks.errors.append(refuse("changes", "unit.not_correctable", f"{name} cannot be changed").errors[0])
            continue
        if name == "unit_type" and value is not None:
            checks.run(table("unit_type").require, value, "unit_type")
        if name == "region" and value is not None:
            checks.run(validate_region, value)
        was = getattr(unit, name)
        changes[name] = (("1" if was else "0") if isinstance(was, bool) else was, value)
    checks.done()
    return [ev.UnitInfoChanged(effective=c.effective, changes=changes, overrode_lock=lock[0] if lock else None)]


def _status_change(allowed_from: str, event: type[ev.Event], message: str):
    def decide_it(c: cmd.UnitCommand, unit: Unit, _: cmd.Context) -> list[ev.Event]:
        require_unit(unit, c.unit_code)
        if unit.status != allowed_from:
            raise refuse("unit_code", f"unit.{event.topic.split('.')[1]}", message.format(code=c.unit_code))
        return [event(effective=c.effective)]

    return decide_it


def _cancel(c: cmd.CancelUnit, unit: Unit, _: cmd.Context) -> list[ev.Event]:
    require_unit(unit, c.unit_code)
    if unit.status == CANCELLED:
        raise refuse("unit_code", "unit.cancelled", f"unit {c.unit_code} is already cancelled")
    return [ev.UnitCancelled(effective=c.effective, suspend_staff=c.suspend_staff)]


def _split(c: cmd.SplitUnit, unit: Unit, _: cmd.Context) -> list[ev.Event]:
    require_unit(unit, c.unit_code)
    return [ev.UnitSplit(effective=c.effective, successor_codes=tuple(s.upper() for s in c.successor_codes))]


def decide_confirm(c: cmd.ConfirmUnitData, unit: Unit, ctx: cmd.Context, campaign: ev.CampaignOpened | None) -> list[ev.Event]:
    require_unit(unit, c.unit_code)
    if campaign is None:
        raise refuse("campaign_id", "campaign.unknown", f"campaign {c.campaign_id} was never opened")
    if not campaign.correction_from <= ctx.today <= campaign.locked_until:
        raise refuse("campaign_id", "campaign.outside_window",
                     f"campaign {c.campaign_id} accepts confirmations from {campaign.correction_from} "
                     f"until {campaign.locked_until}")
    if c.campaign_id in unit.confirmations:
        raise refuse("campaign_id", "campaign.already_confirmed",
                     f"unit {c.unit_code} already confirmed campaign {c.campaign_id}")
    return [ev.UnitDataConfirmed(effective=c.effective, campaign_id=c.campaign_id, locked_until=campaign.locked_until)]


DECIDERS: dict[type[cmd.Command], Callable[..., list[ev.Event]]] = {
    cmd.RegisterUnit: _register,
    cmd.ChangeUnitInfo: _change,
    cmd.InterruptUnitContributions: _status_change(PAYING, ev.UnitContributionsInterrupted, "unit {code} is not paying contributions"),
    cmd.ResumeUnitContributions: _status_change(INTERRUPTED, ev.UnitContributionsResumed, "unit {code} has no interrupted contributions"),
    cmd.CancelUnit: _cancel,
    cmd.SplitUnit: _split,
}


def decide(command: cmd.UnitCommand, unit: Unit, ctx: cmd.Context) -> list[ev.Event]:
    return DECIDERS[type(command)](command, unit, ctx)


def decide_merge(c: cmd.MergeUnit, absorbed: Unit, successor: Unit) -> tuple[list[ev.Event], list[ev.Event]]:
    require_unit(absorbed, c.unit_code)
    require_unit(successor, c.successor_code, "successor_codes")
    if absorbed.status == CANCELLED or successor.status == CANCELLED:
        raise refuse("unit_code", "unit.cancelled", "a cancelled unit cannot take part in a merger")
    if absorbed.unit_code == successor.unit_code:
        raise refuse("successor_codes", "unit.merge_into_itself", "a unit cannot merge into itself")
    return (
        [ev.UnitMergedInto(effective=c.effective, successor_code=successor.unit_code)],
        [ev.UnitAbsorbed(effective=c.effective, absorbed_code=absorbed.unit_code)],
    )


def decide_open_campaign(c: cmd.OpenCampaign, existing: ev.CampaignOpened | None) -> list[ev.Event]:
    if existing is not None:
        raise refuse("campaign_id", "campaign.exists", f"campaign {c.campaign_id} is already open")
    validate_region(c.region)
    if not (c.export_from <= c.export_to and c.correction_from <= c.correction_to <= c.locked_until):
        raise refuse("correction_window", "campaign.windows_out_of_order",
                     "windows must run export_from ≤ export_to, correction_from ≤ correction_to ≤ locked_until")
    return [ev.CampaignOpened(**c.model_dump())]
