"""A campaign's state: whether it is open, and its windows. No rules here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import reduce
from uuid import UUID, uuid5

from domain.campaign import events as ev
from domain.event import Event

CAMPAIGN_NAMESPACE = UUID("5e0c8f4e-8d1b-5c55-9f0e-2b9d7c6a1e30")


def campaign_id(name: str) -> UUID:
    """The stream id of a campaign, from the id offices give it."""
    return uuid5(CAMPAIGN_NAMESPACE, name)


@dataclass(frozen=True)
class Campaign:
    opened: bool = False
    campaign_id: str = ""
    name: str = ""
    region: str = ""
    export_from: date = date.min
    export_to: date = date.min
    correction_from: date = date.min
    correction_to: date = date.min
    locked_until: date = date.min


INITIAL = Campaign()


def evolve(campaign: Campaign, event: Event) -> Campaign:
    if isinstance(event, ev.CampaignOpened):
        return replace(campaign, opened=True, **event.model_dump(exclude={"effective", "reason"}))
    return campaign


def fold(events: Iterable[Event], campaign: Campaign = INITIAL) -> Campaign:
    return reduce(evolve, events, campaign)
