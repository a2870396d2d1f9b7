"""Opening a verification campaign (核对) with its windows."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.command import Command


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
