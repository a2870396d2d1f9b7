"""What is recorded about a verification campaign (核对): its opening and windows."""

from __future__ import annotations

from datetime import date

from domain.event import Event


class CampaignOpened(Event):
    topic = "campaign.opened"
    campaign_id: str
    name: str
    region: str
    export_from: date
    export_to: date
    correction_from: date
    correction_to: date
    locked_until: date
