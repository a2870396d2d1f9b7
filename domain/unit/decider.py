"""The unit decider: `decide(command, unit, context) -> events`. Rules for units live here.

The campaign a confirmation belongs to and the successor of a merger are read from the
context (loaded in the same transaction); the successor's own event is the
`absorb_merged_unit` process's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.codes import table
from domain.command import OFFICE, UNIT_PORTAL, Context
from domain.errors import refuse
from domain.event import Event
from domain.regions import pools, validate_region
from domain.unit import commands as cmd
from domain.unit import events as ev
from domain.unit.state import CANCELLED, INITIAL, INTERRUPTED, PAYING, VIRTUAL_UNITS, Unit, evolve, fold
from domain.unit_codes import validate_credit_code
from domain.validation import Checks, required_text

UNIT_CORRECTABLE = {"name", "unit_type", "region", "finance_funded"}


def validate_unit_code(code: str, management_type: str, field_name: str = "unit_code") -> str:
    if management_type in VIRTUAL_UNITS:
        return required_text(code, field_name).upper()
    return validate_credit_code(code, field_name)


def require_unit(unit: Unit | None, code: str, field_name: str = "unit_code") -> Unit:
    if unit is None or not unit.registered:
        raise refuse(field_name, "unit.not_registered", f"unit {code} is not registered")
    return unit


def _register(c: cmd.RegisterUnit, unit: Unit, _: Context) -> list[Event]:
    if unit.registered:
        raise refuse("unit_code", "unit.already_registered", f"unit {c.unit_code} is already registered")
    checks = Checks()
    management = checks.run(table("unit_management_type").require, c.management_type, "management_type")
    code = checks.run(validate_unit_code, c.unit_code, management or "01")
    checks.run(table("unit_type").require, c.unit_type, "unit_type")
    checks.run(validate_region, c.region)
    checks.run(required_text, c.name, "name")
    checks.done()
    assert code is not None, "refused by checks.done() otherwise"
    return [ev.UnitRegistered(
        effective=c.effective, unit_code=code, name=c.name.strip(), unit_type=c.unit_type,
        management_type=c.management_type, region=c.region, finance_funded=c.finance_funded,
    )]


def corrections_not_yet_open(unit: Unit, ctx: Context) -> None:
    """Seed 000: during a campaign's export window units check their rosters offline; online
    corrections open on its first correction day ("自7月1日起开放更正信息权限")."""
    for campaign in ctx.campaigns.values():
        if campaign.opened and pools(unit.region, campaign.region) and \
                campaign.export_from <= ctx.today < campaign.correction_from:
            raise refuse("unit_code", "campaign.corrections_not_open",
                         f"campaign {campaign.campaign_id} opens corrections through the unit channel on "
                         f"{campaign.correction_from}; until then units check their exported rosters offline")


def unit_channel_lock(unit: Unit, ctx: Context) -> tuple[str, date] | None:
    """Refuse a unit-channel correction outside its campaign's correction window or during a
    confirmed lock; return the lock an office overrides."""
    if ctx.channel == UNIT_PORTAL:
        corrections_not_yet_open(unit, ctx)
    lock = unit.lock_on(ctx.today)
    if lock is None:
        return None
    campaign, until = lock
    if ctx.channel == UNIT_PORTAL:
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


def _change(c: cmd.ChangeUnitInfo, unit: Unit, ctx: Context) -> list[Event]:
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


def _status_change(allowed_from: str, event: type[Event], message: str,
                   ) -> Callable[[cmd.UnitCommand, Unit, Context], list[Event]]:
    def decide_it(c: cmd.UnitCommand, unit: Unit, _: Context) -> list[Event]:
        require_unit(unit, c.unit_code)
        if unit.status != allowed_from:
            raise refuse("unit_code", f"unit.{event.topic.split('.')[1]}", message.format(code=c.unit_code))
        return [event(effective=c.effective)]

    return decide_it


def _cancel(c: cmd.CancelUnit, unit: Unit, _: Context) -> list[Event]:
    require_unit(unit, c.unit_code)
    if unit.status == CANCELLED:
        raise refuse("unit_code", "unit.cancelled", f"unit {c.unit_code} is already cancelled")
    return [ev.UnitCancelled(effective=c.effective, suspend_staff=c.suspend_staff)]


def _split(c: cmd.SplitUnit, unit: Unit, _: Context) -> list[Event]:
    require_unit(unit, c.unit_code)
    return [ev.UnitSplit(effective=c.effective, successor_codes=tuple(s.upper() for s in c.successor_codes))]


def _merge(c: cmd.MergeUnit, absorbed: Unit, ctx: Context) -> list[Event]:
    require_unit(absorbed, c.unit_code)
    code = c.successor_code.strip().upper()
    successor = require_unit(ctx.units.get(code), c.successor_code, "successor_codes")
    if absorbed.status == CANCELLED or successor.status == CANCELLED:
        raise refuse("unit_code", "unit.cancelled", "a cancelled unit cannot take part in a merger")
    if absorbed.unit_code == successor.unit_code:
        raise refuse("successor_codes", "unit.merge_into_itself", "a unit cannot merge into itself")
    return [ev.UnitMergedInto(effective=c.effective, successor_code=successor.unit_code)]


def _confirm(c: cmd.ConfirmUnitData, unit: Unit, ctx: Context) -> list[Event]:
    require_unit(unit, c.unit_code)
    campaign = ctx.campaigns.get(c.campaign_id)
    if campaign is None or not campaign.opened:
        raise refuse("campaign_id", "campaign.unknown", f"campaign {c.campaign_id} was never opened")
    if c.campaign_id in unit.confirmations:
        raise refuse("campaign_id", "campaign.already_confirmed",
                     f"unit {c.unit_code} already confirmed campaign {c.campaign_id}")
    # Seed 000: corrections and the confirmation that ends them fall in the online-correction
    # window ("务必于7月9日24时前完成信息核对及更正工作"); an office may confirm for a unit
    # outside it, citing evidence, and the event says so.
    outside = not campaign.correction_from <= ctx.today <= campaign.correction_to
    if outside and (ctx.channel != OFFICE or not ctx.evidence):
        raise refuse("campaign_id", "campaign.outside_window",
                     f"campaign {c.campaign_id} takes confirmations from {campaign.correction_from} to "
                     f"{campaign.correction_to}" + ("" if ctx.channel == OFFICE else "; after that, at an office"))
    return [ev.UnitDataConfirmed(effective=c.effective, campaign_id=c.campaign_id,
                                 locked_until=campaign.locked_until, outside_window=outside)]


DECIDERS: dict[type[cmd.UnitCommand], Callable[..., list[Event]]] = {
    cmd.RegisterUnit: _register,
    cmd.ChangeUnitInfo: _change,
    cmd.InterruptUnitContributions: _status_change(
        PAYING, ev.UnitContributionsInterrupted, "unit {code} is not paying contributions"),
    cmd.ResumeUnitContributions: _status_change(
        INTERRUPTED, ev.UnitContributionsResumed, "unit {code} has no interrupted contributions"),
    cmd.CancelUnit: _cancel,
    cmd.SplitUnit: _split,
    cmd.MergeUnit: _merge,
    cmd.ConfirmUnitData: _confirm,
}


def decide(command: cmd.UnitCommand, unit: Unit, ctx: Context) -> list[Event]:
    """The events a unit command records, or a DomainError naming the field and rule it breaks."""
    return DECIDERS[type(command)](command, unit, ctx)


__all__ = ["INITIAL", "decide", "evolve", "fold", "require_unit", "unit_channel_lock", "validate_unit_code"]
