from datetime import date

import pytest

from domain import commands as cmd
from domain import events as ev
from domain.errors import DomainError
from domain.unit import INITIAL, decide, decide_confirm, decide_merge, decide_open_campaign, fold
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
    unit = fold(decide(cmd.InterruptUnitContributions(effective=date(2020, 1, 1), unit_code=EMPLOYER), unit, ctx()), unit)
    assert unit.status == "3"
    refused("unit.contributions_interrupted", decide,
            cmd.InterruptUnitContributions(effective=date(2020, 2, 1), unit_code=EMPLOYER), unit, ctx())
    unit = fold(decide(cmd.ResumeUnitContributions(effective=date(2020, 3, 1), unit_code=EMPLOYER), unit, ctx()), unit)
    assert unit.status == "2"


def test_cancelling_records_the_offices_choice_about_staff():
    [event] = decide(cmd.CancelUnit(effective=date(2021, 1, 1), unit_code=EMPLOYER, suspend_staff=True),
                     registered(), ctx())
    assert isinstance(event, ev.UnitCancelled) and event.suspend_staff


def test_a_merger_records_both_sides():
    away, into = decide_merge(cmd.MergeUnit(effective=date(2022, 1, 1), unit_code=EMPLOYER, successor_code=EMPLOYER_2),
                              registered(), registered(EMPLOYER_2))
    assert away[0].successor_code == EMPLOYER_2 and into[0].absorbed_code == EMPLOYER


def test_unit_info_changes_say_what_changed_from_what():
    [event] = decide(cmd.ChangeUnitInfo(effective=date(2022, 1, 1), unit_code=EMPLOYER, changes={"name": "新名称"}),
                     registered(), ctx())
    assert event.changes == {"name": ("福州示例有限公司", "新名称")}


def test_a_campaign_needs_its_windows_in_order():
    bad = CAMPAIGN.model_copy(update={"locked_until": date(2026, 11, 1)})
    refused("campaign.windows_out_of_order", decide_open_campaign, bad, None)


def test_a_unit_confirms_during_the_campaign_and_is_locked_until_its_end():
    [opened] = decide_open_campaign(CAMPAIGN, None)
    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="2026核对")
    unit = fold(decide_confirm(confirm, registered(), ctx(), opened), registered())
    assert unit.lock_on(date(2026, 12, 31)) == ("2026核对", date(2026, 12, 31))
    assert unit.lock_on(date(2027, 1, 1)) is None
    refused("campaign.already_confirmed", decide_confirm, confirm, unit, ctx(), opened)


def test_confirming_an_unknown_campaign_is_refused():
    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="nope")
    refused("campaign.unknown", decide_confirm, confirm, registered(), ctx(), None)


def test_unit_channel_changes_are_refused_during_the_lock():
    from domain.events import Actor

    [opened] = decide_open_campaign(CAMPAIGN, None)
    confirm = cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="2026核对")
    unit = fold(decide_confirm(confirm, registered(), ctx(), opened), registered())
    agent = ctx(channel="unit_portal", actor=Actor(kind="unit_agent", id="a", unit_code=EMPLOYER))
    refused("campaign.confirmed_lock", decide,
            cmd.ChangeUnitInfo(effective=date(2026, 11, 21), unit_code=EMPLOYER, changes={"name": "x"}), unit, agent)
