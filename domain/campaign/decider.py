"""The campaign decider: opening a verification campaign with windows in order."""

from __future__ import annotations

from domain.campaign import commands as cmd
from domain.campaign import events as ev
from domain.campaign.state import INITIAL, Campaign, evolve, fold
from domain.command import Context
from domain.errors import refuse
from domain.event import Event
from domain.regions import validate_region


def _open(c: cmd.OpenCampaign, campaign: Campaign) -> list[Event]:
    if campaign.opened:
        raise refuse("campaign_id", "campaign.exists", f"campaign {c.campaign_id} is already open")
    validate_region(c.region)
    if not (c.export_from <= c.export_to and c.correction_from <= c.correction_to <= c.locked_until):
        raise refuse("correction_window", "campaign.windows_out_of_order",
                     "windows must run export_from ≤ export_to, correction_from ≤ correction_to ≤ locked_until")
    return [ev.CampaignOpened(**c.model_dump())]


def decide(command: cmd.OpenCampaign, campaign: Campaign, ctx: Context) -> list[Event]:
    return _open(command, campaign)


__all__ = ["INITIAL", "decide", "evolve", "fold"]
