"""Campaign windows and transfer deadlines run on the business date: tested on a fixed clock
at 23:59 and 00:00 Beijing time, where the UTC date says otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from uuid import uuid4

import pytest

from domain import commands as cmd
from domain.campaign import decider as campaign_decider
from domain.campaign.state import INITIAL as NO_CAMPAIGN
from domain.campaign.state import fold as fold_campaign
from domain.clock import BEIJING
from domain.errors import DomainError
from domain.events import Actor
from domain.unit.decider import decide
from domain.unit.state import INITIAL, fold
from domain.working_days import transfer_deadline
from tests.support.builders import EMPLOYER, ctx, enroll_employee, register, register_unit, resident_id
from tests.support.given import Story

CAMPAIGN = cmd.OpenCampaign(
    effective=date(2026, 6, 1), campaign_id="2026核对", name="2026年参保信息核对", region="350100",
    export_from=date(2026, 6, 1), export_to=date(2026, 6, 9), correction_from=date(2026, 6, 10),
    correction_to=date(2026, 11, 30), locked_until=date(2026, 12, 31),
)
CONFIRM = cmd.ConfirmUnitData(effective=date(2026, 6, 10), unit_code=EMPLOYER, campaign_id="2026核对")


def beijing(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BEIJING)


def confirming_at(now: datetime, evidence: tuple[str, ...] = ()) -> list:
    unit = fold(decide(register_unit(), INITIAL, ctx()))
    campaign = fold_campaign(campaign_decider.decide(CAMPAIGN, NO_CAMPAIGN, ctx()))
    return decide(CONFIRM, unit, replace(ctx(now=now, evidence=evidence), campaigns={"2026核对": campaign}))


def test_after_the_window_an_office_confirms_for_a_unit_only_on_evidence_and_the_event_says_so():
    [event] = confirming_at(beijing(2026, 12, 5, 10, 0), evidence=("单位确认函.pdf",))
    assert event.outside_window and event.locked_until == date(2026, 12, 31)


@pytest.mark.parametrize(("now", "accepted"), [
    (beijing(2026, 6, 9, 23, 59), False),   # the day before the window opens
    (beijing(2026, 6, 10, 0, 0), True),     # UTC still says 9 June
    (beijing(2026, 11, 30, 23, 59), True),  # the last day of the correction window
    (beijing(2026, 12, 1, 0, 0), False),    # UTC still says 30 November
])
def test_a_confirmation_is_taken_inside_the_campaign_window_by_beijings_calendar(now, accepted):
    if accepted:
        assert confirming_at(now)
    else:
        with pytest.raises(DomainError, match="campaign.outside_window"):
            confirming_at(now)


@pytest.mark.parametrize(("now", "counted_from"), [
    (beijing(2026, 3, 2, 23, 59), date(2026, 3, 2)),
    (beijing(2026, 3, 3, 0, 0), date(2026, 3, 3)),  # UTC still says 2 March
])
def test_a_transfer_deadline_counts_working_days_from_the_beijing_date_it_was_recorded(now, counted_from):
    number = resident_id()
    story = Story()
    story.then(register(number))
    story.then(enroll_employee(number))
    [enrollment] = story.person.open_enrollments()
    out = cmd.TransferOut(effective=date(2026, 3, 1), id_number=number, enrollment_id=enrollment.id,
                          target_region="350203", direction="11", transfer_id=uuid4())
    context = cmd.Context(command_id=uuid4(), actor=Actor(kind="office", id="c"), now=now)
    [event] = story.when(out, context)
    assert event.due == transfer_deadline(counted_from).due


def changing_the_unit_at(now: datetime, channel: str = "unit_portal") -> list:
    from domain.events import Actor

    unit = fold(decide(register_unit(), INITIAL, ctx()))
    campaign = fold_campaign(campaign_decider.decide(CAMPAIGN, NO_CAMPAIGN, ctx()))
    agent = Actor(kind="unit_agent", id="a", unit_code=EMPLOYER) if channel == "unit_portal" else ctx().actor
    context = replace(ctx(now=now, channel=channel, actor=agent), campaigns={"2026核对": campaign})
    change = cmd.ChangeUnitInfo(effective=date(2026, 6, 10), unit_code=EMPLOYER, changes={"name": "新名称"})
    return decide(change, unit, context)


def test_unit_channel_corrections_open_on_the_campaigns_first_correction_day_beijing_time():
    with pytest.raises(DomainError, match="campaign.corrections_not_open"):
        changing_the_unit_at(beijing(2026, 6, 9, 23, 59))  # the export window: offline checks only
    assert changing_the_unit_at(beijing(2026, 6, 10, 0, 0))  # UTC still says 9 June
    assert changing_the_unit_at(beijing(2026, 6, 9, 12, 0), channel="office")  # an office is not the unit channel
