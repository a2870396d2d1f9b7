from dataclasses import replace
from datetime import date

import pytest

from domain import commands as cmd
from domain import events as ev
from domain.campaign import decider as campaign_decider
from domain.campaign.state import INITIAL as NO_CAMPAIGN
from domain.campaign.state import fold as fold_campaign
from domain.errors import DomainError
from domain.processes import Decided
from domain.processes.mergers import absorb_merged_unit
from domain.unit.decider import decide
from domain.unit.state import INITIAL, fold
from tests.support.builders import EMPLOYER, EMPLOYER_2, ctx, register_unit


def registered(code: str = EMPLOYER, **kw):
    return fold(decide(register_unit(code, **kw), INITIAL, ctx()))


def refused(rule: str, decide_it, *args):
    with pytest.raises(DomainError) as refusal:
        decide_it(*args)
    assert rule in [e.rule for e in refusal.value.errors], refusal.value
    return refusal.value


CAMPAIGN = cmd.OpenCampaign(
    effective=date(2026, 6, 1), campaign_id="2026核对", name="2026年参保信息核对", region="350100",
    export_from=date(2026, 6, 1), export_to=date(2026, 6, 9), correction_from=date(2026, 6, 10),
    correction_to=date(2026, 11, 30), locked_until=date(2026, 12, 31),
)


def test_registering_a_unit_validates_its_credit_code():
    refusal = refused("unit_code.check_character", decide, register_unit("91350100M000100Y44"), INITIAL, ctx())
    assert refusal.errors[0].label == "单位编号"


def test_virtual_units_are_numbered_locally_not_by_credit_code():
    assert registered("C350102001", management_type="08").unit_code == "C350102001"


def test_registering_twice_is_refused():
    refused("unit.already_registered", decide, register_unit(), registered(), ctx())


def test_interrupting_and_resuming_contributions():
    unit = registered()
    unit = fold(
        decide(cmd.InterruptUnitContributions(effective=date(2020, 1, 1), unit_code=EMPLOYER), unit, ctx()), unit
    )
    assert unit.status == "3"
    refused(
        "unit.contributions_interrupted",
        decide,
        cmd.InterruptUnitContributions(effective=date(2020, 2, 1), unit_code=EMPLOYER),
        unit,
        ctx(),
    )
    unit = fold(decide(cmd.ResumeUnitContributions(effective=date(2020, 3, 1), unit_code=EMPLOYER), unit, ctx()), unit)
    assert unit.status == "2"


def test_cancelling_records_the_offices_choice_about_staff():
    [event] = decide(
        cmd.CancelUnit(effective=date(2021, 1, 1), unit_code=EMPLOYER, suspend_staff=True), registered(), ctx()
    )
    assert isinstance(event, ev.UnitCancelled) and event.suspend_staff


def test_a_merger_records_both_sides():
    merge = cmd.MergeUnit(effective=date(2022, 1, 1), unit_code=EMPLOYER, successor_code=EMPLOYER_2)
    absorbed = registered()
    away = decide(merge, absorbed, replace(ctx(), units={EMPLOYER_2: registered(EMPLOYER_2)}))
    into = absorb_merged_unit(merge, Decided(absorbed_stream(), absorbed, fold(away, absorbed), away), ctx(), None)
    assert away[0].successor_code == EMPLOYER_2 and [e.absorbed_code for [e] in into.values()] == [EMPLOYER]


def test_a_merger_into_an_unregistered_unit_is_refused():
    merge = cmd.MergeUnit(effective=date(2022, 1, 1), unit_code=EMPLOYER, successor_code=EMPLOYER_2)
    refused("unit.not_registered", decide, merge, registered(), ctx())


def absorbed_stream():
    from domain.unit_codes import unit_id

    return unit_id(EMPLOYER)


def test_unit_info_changes_say_what_changed_from_what():
    [event] = decide(
        cmd.ChangeUnitInfo(effective=date(2022, 1, 1), unit_code=EMPLOYER, changes={"name": "新名称"}),
        registered(),
        ctx(),
    )
    assert event.changes == {"name": ("福州示例有限公司", "新名称")}


def test_a_campaign_needs_its_windows_in_order():
    bad = CAMPAIGN.model_copy(update={"locked_until": date(2026, 11, 1)})
    refused("campaign.windows_out_of_order", campaign_decider.decide, bad, NO_CAMPAIGN, ctx())


def test_a_unit_confirms_during_the_campaign_and_is_locked_until_its_end():
    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="2026核对")
    unit = fold(decide(confirm, registered(), during_campaign()), registered())
    assert unit.lock_on(date(2026, 12, 31)) == ("2026核对", date(2026, 12, 31))
    assert unit.lock_on(date(2027, 1, 1)) is None
    refused("campaign.already_confirmed", decide, confirm, unit, during_campaign())


def during_campaign(context=None):
    """A context that has loaded the campaign, as the application does for a confirmation."""
    campaign = fold_campaign(campaign_decider.decide(CAMPAIGN, NO_CAMPAIGN, ctx()))
    return replace(context or ctx(), campaigns={"2026核对": campaign})


def test_confirming_an_unknown_campaign_is_refused():
    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="nope")
    refused("campaign.unknown", decide, confirm, registered(), ctx())


def test_unit_channel_changes_are_refused_during_the_lock():
    from domain.events import Actor

    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="2026核对")
    unit = fold(decide(confirm, registered(), during_campaign()), registered())
    agent = ctx(channel="unit_portal", actor=Actor(kind="unit_agent", id="a", unit_code=EMPLOYER))
    refused(
        "campaign.confirmed_lock",
        decide,
        cmd.ChangeUnitInfo(effective=date(2026, 11, 21), unit_code=EMPLOYER, changes={"name": "x"}),
        unit,
        agent,
    )
