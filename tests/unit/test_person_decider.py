"""Given events, when a command, then events — or a refusal naming its rule and field."""

from datetime import date
from uuid import uuid4

import pytest

from domain import commands as cmd
from domain import events as ev
from domain.person.state import NORMAL, SUSPENDED, TERMINATED
from tests.support.builders import (
    COMMUNITY,
    EMPLOYER,
    EMPLOYER_2,
    FLEX_UNIT,
    Actor,
    ctx,
    enroll_employee,
    enroll_resident,
    register,
    resident_id,
)
from tests.support.given import Story

ID = resident_id()


@pytest.fixture
def registered() -> Story:
    story = Story()
    story.then(register(ID))
    return story


@pytest.fixture
def employed(registered: Story) -> Story:
    registered.then(enroll_employee(ID))
    return registered


def only_enrollment(story: Story, insurance_type: str = "310"):
    return next(e for e in story.person.enrollments.values() if e.insurance_type == insurance_type)


# ---- register ------------------------------------------------------------------------


def test_registering_records_the_base_information_with_the_18_digit_number():
    story = Story()
    [event] = story.then(register("350102850601123", birth_date=date(1985, 6, 1), gender="1"))
    assert isinstance(event, ev.PersonRegistered)
    assert event.id_number == "350102198506011239" and event.legacy_id_number == "350102850601123"


def test_registering_twice_is_refused(registered):
    registered.refused(register(ID), "person.already_registered")


def test_a_birth_date_that_disagrees_with_the_id_number_is_refused():
    Story().refused(register(ID, birth_date=date(1985, 6, 2)), "id_number.birth_date_mismatch")


def test_a_gender_that_disagrees_with_the_id_number_is_refused():
    Story().refused(register(ID, gender="2"), "id_number.gender_mismatch")


def test_every_broken_field_is_reported_at_once():
    refusal = Story().refused(register(ID, name=" ", ethnicity="77", nationality="China"), "required")
    assert {e.api_name for e in refusal.errors} == {"name", "ethnicity", "nationality"}
    assert {e.label for e in refusal.errors} == {"姓名", "民族", "国家和地区代码"}


def test_an_unknown_code_is_refused_naming_its_table():
    refusal = Story().refused(register(ID, ethnicity="77"), "code_table.ethnicity")
    assert "民族" in refusal.errors[0].message


def test_ethnic_minority_names_may_contain_the_middle_dot():
    [event] = Story().when(register(ID, name="阿依古丽·买买提"))
    assert event.name == "阿依古丽·买买提"


# ---- enroll --------------------------------------------------------------------------


def test_an_employee_enrolls_through_a_unit(registered):
    [event] = registered.then(enroll_employee(ID))
    assert isinstance(event, ev.Enrolled) and event.change == "11" and event.unit_code == EMPLOYER


def test_a_second_employee_enrollment_in_another_region_is_refused_naming_the_open_one(employed):
    refusal = employed.refused(enroll_employee(ID, region="350103"), "enrollment.duplicate_within_scheme")
    assert str(only_enrollment(employed).id) in refusal.errors[0].message


def test_a_second_resident_enrollment_is_refused():
    story = Story()
    story.then(register(ID))
    story.then(enroll_resident(ID))
    story.refused(enroll_resident(ID, region="350103"), "enrollment.duplicate_within_scheme")


def test_a_cross_scheme_enrollment_is_accepted_and_flagged(employed):
    [event] = employed.then(enroll_resident(ID))
    assert event.cross_scheme_with == (only_enrollment(employed).id,)


def test_a_flexible_worker_enrolls_through_the_flexible_virtual_unit(registered):
    [event] = registered.then(enroll_employee(ID, unit=FLEX_UNIT, person_type="1103"))
    assert event.person_type == "1103"


def test_an_employee_cannot_enroll_through_a_community(registered):
    registered.refused(enroll_employee(ID, unit=COMMUNITY), "unit.wrong_kind")


def test_a_resident_cannot_enroll_through_an_employer(registered):
    registered.refused(enroll_resident(ID, unit=EMPLOYER), "unit.wrong_kind")


def test_an_unregistered_unit_is_refused(registered):
    registered.refused(enroll_employee(ID, unit="91350100MA00000000"), "unit.not_registered")


def test_riders_attach_to_the_open_employee_enrollment(employed):
    [event] = employed.then(enroll_employee(ID, insurance_type="330"))
    assert event.rider_of == only_enrollment(employed).id


def test_a_rider_without_a_base_enrollment_is_refused(registered):
    registered.refused(enroll_employee(ID, insurance_type="330"), "enrollment.rider_without_base")


def test_the_civil_servant_subsidy_needs_the_civil_servant_flag(employed):
    employed.refused(enroll_employee(ID, insurance_type="320"), "enrollment.subsidy_needs_civil_servant")


def test_a_civil_servant_gets_the_subsidy():
    story = Story()
    story.then(register(ID, civil_servant=True))
    story.then(enroll_employee(ID, person_type="1102"))
    [event] = story.then(enroll_employee(ID, insurance_type="320", person_type="1102"))
    assert event.insurance_type == "320"


def test_the_same_rider_twice_is_refused(employed):
    employed.then(enroll_employee(ID, insurance_type="330"))
    employed.refused(enroll_employee(ID, insurance_type="330"), "enrollment.duplicate_rider")


def test_a_new_employee_enrollment_is_for_in_service_staff(registered):
    registered.refused(enroll_employee(ID, person_type="1201"), "enrollment.new_employee_in_service")


def test_a_pooling_region_must_pool_the_region(registered):
    command = enroll_employee(ID).model_copy(update={"pooling_region": "350200"})
    registered.refused(command, "region.pooling")


def test_an_unregistered_person_cannot_enroll():
    Story().refused(enroll_employee(ID), "person.not_registered")


# ---- suspend, resume, terminate -------------------------------------------------------


def suspend(story: Story, reason: str = "6301", effective: date = date(2015, 1, 1), insurance_type: str = "310"):
    return cmd.Suspend(effective=effective, id_number=ID, enrollment_id=only_enrollment(story, insurance_type).id,
                       reason=reason)


def test_suspending_suspends_the_riders_too(employed):
    employed.then(enroll_employee(ID, insurance_type="330"))
    events = employed.then(suspend(employed))
    assert len(events) == 2 and {e.reason for e in events} == {"6301"}
    assert {e.status for e in employed.person.enrollments.values()} == {SUSPENDED}


def test_a_suspension_needs_a_63xx_reason(employed):
    employed.refused(suspend(employed, reason="6402"), "reason.suspension")


def test_a_suspension_before_the_last_change_is_refused(employed):
    employed.refused(suspend(employed, effective=date(2011, 1, 1)), "effective_date.before_last_change")


def test_resuming_with_a_new_employer(employed):
    employed.then(suspend(employed))
    enrollment = only_enrollment(employed)
    employed.then(cmd.Resume(effective=date(2016, 1, 1), id_number=ID, enrollment_id=enrollment.id,
                             unit_code=EMPLOYER_2))
    assert only_enrollment(employed).unit_code == EMPLOYER_2 and only_enrollment(employed).status == NORMAL


def test_resuming_is_refused_while_another_enrollment_of_the_scheme_is_in_force(employed):
    first = only_enrollment(employed)
    employed.then(suspend(employed))
    employed.then(enroll_employee(ID, region="350103", effective=date(2015, 2, 1)))
    employed.refused(cmd.Resume(effective=date(2016, 1, 1), id_number=ID, enrollment_id=first.id),
                     "enrollment.duplicate_within_scheme")


def test_resuming_an_enrollment_in_force_is_refused(employed):
    employed.refused(cmd.Resume(effective=date(2016, 1, 1), id_number=ID, enrollment_id=only_enrollment(employed).id),
                     "enrollment.not_suspended")


def test_terminating_needs_a_64xx_reason_other_than_death(employed):
    eid = only_enrollment(employed).id
    employed.refused(cmd.Terminate(effective=date(2016, 1, 1), id_number=ID, enrollment_id=eid, reason="6301"),
                     "reason.termination")
    employed.refused(cmd.Terminate(effective=date(2016, 1, 1), id_number=ID, enrollment_id=eid, reason="6401"),
                     "reason.death_by_die_command")
    employed.then(cmd.Terminate(effective=date(2016, 1, 1), id_number=ID, enrollment_id=eid, reason="6402"))
    assert only_enrollment(employed).status == TERMINATED


# ---- retire and die ------------------------------------------------------------------


def test_retiring_makes_the_in_service_employee_a_retiree(employed):
    [event] = employed.then(cmd.Retire(effective=date(2025, 6, 1), id_number=ID))
    assert event.person_type == "1201" and event.reason == "6501"


def test_a_retiree_cannot_be_suspended(employed):
    employed.then(cmd.Retire(effective=date(2025, 6, 1), id_number=ID))
    employed.refused(suspend(employed, effective=date(2025, 7, 1)), "enrollment.retired_cannot_be_suspended")


def test_a_suspended_employee_cannot_retire_before_resuming(employed):
    employed.then(suspend(employed))
    employed.refused(cmd.Retire(effective=date(2025, 6, 1), id_number=ID), "retire.suspended")


def test_residents_cannot_retire(registered):
    registered.then(enroll_resident(ID))
    registered.refused(cmd.Retire(effective=date(2025, 6, 1), id_number=ID), "retire.not_in_service")


def test_death_ends_every_open_enrollment(employed):
    employed.then(enroll_employee(ID, insurance_type="330"))
    [event] = employed.then(cmd.Die(effective=date(2024, 2, 3), id_number=ID))
    assert event.reason == "6401" and len(event.ended_enrollment_ids) == 2
    assert employed.person.dead and not employed.person.open_enrollments()


def test_nothing_but_corrections_is_recorded_after_death(employed):
    employed.then(cmd.Die(effective=date(2024, 2, 3), id_number=ID))
    employed.refused(enroll_resident(ID, effective=date(2024, 3, 1)), "person.dead")
    employed.then(cmd.CorrectBaseInfo(effective=date(2024, 3, 1), id_number=ID, changes={"phone": "13800000000"}))


# ---- transfers -----------------------------------------------------------------------


def test_a_transfer_links_its_two_ends_by_its_id(employed):
    transfer = uuid4()
    [out] = employed.then(cmd.TransferOut(effective=date(2020, 1, 1), id_number=ID, target_region="350203",
                                          direction="11", transfer_id=transfer,
                                          enrollment_id=only_enrollment(employed).id))
    assert out.transfer_id == transfer and not out.within_pool and out.reason == "6404"
    assert (out.due, out.due_provisional) == (date(2026, 12, 18), False)  # 20 working days from 2026-11-20
    [arrived] = employed.then(cmd.TransferIn(effective=date(2020, 1, 1), id_number=ID, transfer_id=transfer,
                                             insurance_type="310", region="350203", pooling_region="350200",
                                             unit_code=EMPLOYER_2, person_type="1101"))
    assert arrived.transfer_id == transfer and arrived.change == "13"


def test_a_transfer_within_the_pool_is_marked_so(employed):
    [out] = employed.then(cmd.TransferOut(effective=date(2020, 1, 1), id_number=ID, target_region="350103",
                                          direction="11", transfer_id=uuid4(),
                                          enrollment_id=only_enrollment(employed).id))
    assert out.within_pool and out.reason == "6302"


def test_a_transfer_in_without_a_transfer_out_is_refused(registered):
    registered.refused(cmd.TransferIn(effective=date(2020, 1, 1), id_number=ID, transfer_id=uuid4(),
                                      insurance_type="310", region="350203", unit_code=EMPLOYER_2,
                                      person_type="1101"), "transfer.unknown")


def test_a_transfer_direction_must_start_from_the_enrollments_scheme(employed):
    employed.refused(cmd.TransferOut(effective=date(2020, 1, 1), id_number=ID, target_region="350203",
                                     direction="41", transfer_id=uuid4(), enrollment_id=only_enrollment(employed).id),
                     "transfer.direction")


# ---- person type and corrections -----------------------------------------------------


def test_changing_person_type_cannot_retire_someone(employed):
    employed.refused(cmd.ChangePersonType(effective=date(2020, 1, 1), id_number=ID, person_type="1201",
                                          enrollment_id=only_enrollment(employed).id), "person_type.retire_by_command")


def test_a_retroactive_correction_says_what_changed_from_what(employed):
    context = ctx(evidence=("劳动合同扫描件-001",))
    [event] = employed.then(cmd.CorrectEnrollment(
        effective=date(2026, 11, 1), id_number=ID, enrollment_id=only_enrollment(employed).id,
        changes={"start": "2011-09-01"}, reason="入职日期录入错误"), context)
    assert event.changes == {"start": ("2012-03-01", "2011-09-01")}
    assert only_enrollment(employed).start == date(2011, 9, 1)


def test_a_retroactive_correction_needs_evidence(employed):
    employed.refused(cmd.CorrectEnrollment(effective=date(2026, 11, 1), id_number=ID,
                                           enrollment_id=only_enrollment(employed).id,
                                           changes={"start": "2011-09-01"}, reason="x"),
                     "correction.needs_evidence")


def test_a_base_correction_that_changes_nothing_records_nothing(registered):
    assert registered.when(cmd.CorrectBaseInfo(effective=date(2026, 1, 1), id_number=ID,
                                               changes={"name": "张三"})) == []


# ---- the unit channel and confirmed locks --------------------------------------------


def confirmed_units(locked_until: date = date(2026, 12, 31)):
    from domain.unit.state import evolve

    story = Story()
    story.units[EMPLOYER] = evolve(story.units[EMPLOYER], ev.UnitDataConfirmed(
        effective=date(2026, 11, 1), campaign_id="2026核对", locked_until=locked_until))
    return story


UNIT_AGENT = Actor(kind="unit_agent", id="agent-1", unit_code=EMPLOYER)


def test_a_unit_channel_correction_is_refused_during_the_confirmed_lock_naming_the_window():
    story = confirmed_units()
    story.then(register(ID))
    story.then(enroll_employee(ID))
    refusal = story.refused(cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"phone": "1"}),
                            "campaign.confirmed_lock", ctx(channel="unit_portal", actor=UNIT_AGENT))
    assert "2026核对" in refusal.errors[0].message and "2026-12-31" in refusal.errors[0].message


def test_an_office_correction_with_evidence_overrides_the_lock_and_says_so():
    story = confirmed_units()
    story.then(register(ID))
    story.then(enroll_employee(ID))
    [event] = story.then(cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"phone": "1"}),
                         ctx(evidence=("户口簿复印件",)))
    assert event.overrode_lock == "2026核对"


def test_an_office_correction_without_evidence_during_a_lock_is_refused():
    story = confirmed_units()
    story.then(register(ID))
    story.then(enroll_employee(ID))
    story.refused(cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"phone": "1"}),
                  "campaign.override_needs_evidence")


def test_the_lock_ends_on_its_last_day():
    story = confirmed_units(locked_until=date(2026, 11, 19))
    story.then(register(ID))
    story.then(enroll_employee(ID))
    [event] = story.then(cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"phone": "1"}),
                         ctx(channel="unit_portal", actor=UNIT_AGENT))
    assert event.overrode_lock is None


# ---- identity --------------------------------------------------------------------------


def test_merging_moves_the_history_to_the_right_identity():
    from domain.person.identity import decide_adoption

    story = Story()
    story.then(register(ID))
    story.then(enroll_employee(ID))
    right = resident_id(seq="125")
    merge = cmd.MergeIdentity(effective=date(2026, 1, 1), id_number=ID, target_id_number=right)
    away = story.when(merge)
    into = decide_adoption(merge, story.person, Story().person, ctx())
    assert isinstance(away[0], ev.IdentityMergedAway) and away[0].into_id_number == right
    assert isinstance(into[0], ev.PersonRegistered) and into[0].id_number == right
    assert [r.enrollment_id for r in into[1].enrollments] == [only_enrollment(story).id]


def test_registering_under_an_unknown_county_code_records_a_warning_with_the_event():
    from domain.id_numbers import check_character

    number = "350199198506011" + "23"
    number += check_character(number)
    [event] = Story().when(register(number))
    assert event.warnings and "350199" in event.warnings[0]


def test_a_frozen_record_takes_nothing_but_an_offices_unfreeze_or_correction(employed):
    employed.then(cmd.Freeze(effective=date(2026, 1, 1), id_number=ID, note="疑似冒名参保，待核查"))
    employed.refused(suspend(employed, effective=date(2026, 2, 1)), "person.frozen")
    employed.refused(cmd.Unfreeze(effective=date(2026, 2, 1), id_number=ID), "person.freeze_by_office",
                     ctx(channel="unit_portal", actor=UNIT_AGENT))
    employed.then(cmd.CorrectBaseInfo(effective=date(2026, 2, 1), id_number=ID, changes={"phone": "1"}))
    [event] = employed.then(cmd.Unfreeze(effective=date(2026, 3, 1), id_number=ID))
    assert event.change_type == "32" and not employed.person.frozen
    employed.then(suspend(employed, effective=date(2026, 4, 1)))


def test_an_office_removes_a_fake_enrollment_on_evidence_and_it_never_existed(employed):
    enrollment = only_enrollment(employed)
    remove = cmd.RemoveFakeEnrollment(effective=date(2026, 1, 1), id_number=ID, enrollment_id=enrollment.id)
    employed.refused(remove, "fake_enrollment.office_evidence")  # no evidence
    employed.refused(remove, "fake_enrollment.office_evidence", ctx(channel="unit_portal", actor=UNIT_AGENT))
    [event] = employed.then(remove, ctx(evidence=("公安人口库比对结果",)))
    assert event.effective == enrollment.start and employed.person.enrollments == {}
