"""The verification campaign as a decider the application can route commands to."""

from __future__ import annotations

from domain.campaign.decider import decide
from domain.campaign.state import INITIAL, Campaign, campaign_id, evolve
from domain.decider import Aggregate

CAMPAIGN = Aggregate[Campaign]("campaign", lambda c: campaign_id(c.campaign_id), INITIAL, evolve, decide)
