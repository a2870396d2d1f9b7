"""The ledger on a real PostgreSQL: reload, time questions, idempotency, atomic writes."""

from datetime import date, datetime, timedelta, timezone

import pytest

from domain import commands as cmd
from domain.errors import DomainError
from domain.id_numbers import person_id
from domain.person.state import SUSPENDED
from domain.timeline import snapshot, spells, state_known_at
from eventlog.chain import GENESIS, event_hash
from tests.support.builders import (
    COMMUNITY,
    EMPLOYER,
    EMPLOYER_2,
    FLEX_UNIT,
    ctx,
    enroll_employee,
    enroll_resident,
    register,
    register_unit,
    resident_id,
)

ID = resident_id()
T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def at(days: int):
    return ctx(now=T0 + timedelta(days=days))


@pytest.fixture
def with_units(ledger):
    for command in (register_unit(), register_unit(EMPLOYER_2, name="第二单位"),
                    register_unit(COMMUNITY, "08", name="某社区"), register_unit(FLEX_UNIT, "02", name="灵活就业")):
        ledger.execute(command, at(0))
    return ledger


def the_310(ledger):
    return next(e for e in ledger.person("01", ID).enrollments.values() if e.insurance_type == "310")


def test_a_full_history_reloads_and_answers_the_three_time_questions(with_units):
    ledger = with_units
    ledger.execute(register(ID), at(1))
    ledger.execute(enroll_employee(ID, effective=date(2012, 3, 1)), at(2))
    eid = the_310(ledger).id
    ledger.execute(cmd.Suspend(effective=date(2019, 6, 1), id_number=ID, enrollment_id=eid, reason="6301"), at(3))
    ledger.execute(cmd.Resume(effective=date(2020, 2, 1), id_number=ID, enrollment_id=eid, unit_code=EMPLOYER_2), at(4))
    before_correction = T0 + timedelta(days=4, hours=1)
    ledger.execute(cmd.CorrectEnrollment(effective=date(2026, 1, 10), id_number=ID, enrollment_id=eid,
                                         changes={"start": "2011-09-01"}, reason="入职日期错误"),
                   ctx(now=T0 + timedelta(days=5), evidence=("劳动合同-17",)))
    history = ledger.person_stream("01", ID).events
    assert [r.version for r in history] == [1, 2, 3, 4, 5]
    # 1. now
    now = state_known_at(history)
    assert now == ledger.person("01", ID) and the_310(ledger).start == date(2011, 9, 1)
    # 2. as of a valid date, as known now
    [on_cutoff] = snapshot(history, date(2019, 12, 31))
    assert on_cutoff.status == SUSPENDED and on_cutoff.unit_code == EMPLOYER
    assert snapshot(history, date(2011, 10, 1))  # enrolled then, by the correction
    # 3. as of a valid date, as known before the correction
    assert snapshot(history, date(2011, 10, 1), before_correction) == []
    assert [s.status for s in spells(state_known_at(history, before_correction))] == ["1", "2", "1"]


def test_events_carry_provenance_and_a_hash_chain(with_units):
    ledger = with_units
    ledger.execute(register(ID), ctx(evidence=("身份证复印件",)))
    ledger.execute(enroll_employee(ID), ctx())
    with ledger.store.datastore.get_connection() as conn:
        rows = conn.execute("SELECT originator_version, topic, state FROM canbao_events WHERE originator_id = %s "
                            "ORDER BY originator_version", (person_id("01", ID),)).fetchall()
    rows = [(r["originator_version"], r["topic"], r["state"]) for r in rows]
    first, second = ledger.person_stream("01", ID).events
    assert first.meta.prev_hash == GENESIS and first.meta.evidence == ("身份证复印件",)
    assert second.meta.prev_hash == event_hash(person_id("01", ID), rows[0][0], rows[0][1], bytes(rows[0][2]))
    assert second.meta.actor.kind == "office" and second.meta.command == "Enroll"


def test_the_same_command_id_twice_records_once_and_returns_the_first_result(with_units):
    ledger = with_units
    context = ctx()
    first = ledger.execute(register(ID), context)
    again = ledger.execute(register(ID), context)
    assert again.replayed and [r.event for r in again.events] == [r.event for r in first.events]
    assert len(ledger.person_stream("01", ID).events) == 1


def test_a_refused_command_writes_nothing(with_units):
    ledger = with_units
    ledger.execute(register(ID), ctx())
    ledger.execute(enroll_employee(ID), ctx())
    with pytest.raises(DomainError):
        ledger.execute(enroll_employee(ID, region="350103"), ctx())
    assert len(ledger.person_stream("01", ID).events) == 2
    assert len(ledger.unit_stream(EMPLOYER).events) == 2  # registered, staff joined


def test_enrolling_and_leaving_keep_the_units_roster(with_units):
    ledger = with_units
    ledger.execute(register(ID), ctx())
    ledger.execute(enroll_employee(ID), ctx())
    eid = the_310(ledger).id
    assert ledger.unit(EMPLOYER).staff == {(person_id("01", ID), eid)}
    ledger.execute(cmd.Terminate(effective=date(2020, 1, 1), id_number=ID, enrollment_id=eid, reason="6402"), ctx())
    assert ledger.unit(EMPLOYER).staff == frozenset()


def test_cancelling_a_unit_suspends_its_in_service_staff_in_the_same_transaction(with_units):
    ledger = with_units
    retiree = resident_id(seq="135")
    for number in (ID, retiree):
        ledger.execute(register(number), ctx())
        ledger.execute(enroll_employee(number), ctx())
    ledger.execute(cmd.Retire(effective=date(2020, 1, 1), id_number=retiree), ctx())
    outcome = ledger.execute(cmd.CancelUnit(effective=date(2021, 1, 1), unit_code=EMPLOYER, suspend_staff=True), ctx())
    assert len({r.event.topic for r in outcome.events}) == 2 and len({r.meta.command_id for r in outcome.events}) == 1
    assert the_310(ledger).status == SUSPENDED
    # retirees are never suspended
    assert {e.status for e in ledger.person("01", retiree).enrollments.values()} == {"1"}


def test_merging_identities_moves_history_and_roster_in_one_transaction(with_units):
    ledger = with_units
    wrong, right = ID, resident_id(seq="157")
    ledger.execute(register(wrong), ctx())
    ledger.execute(enroll_employee(wrong), ctx())
    outcome = ledger.execute(
        cmd.MergeIdentity(effective=date(2026, 1, 1), id_number=wrong, target_id_number=right), ctx()
    )
    assert len({r.meta.command_id for r in outcome.events}) == 1  # one command, one transaction
    assert [(r.stream_id, r.event.topic) for r in outcome.events if r.event.topic.startswith("person.")] == [
        (person_id("01", wrong), "person.identity_merged_away"),
        (person_id("01", right), "person.registered"),
        (person_id("01", right), "person.identity_adopted"),
    ]
    assert sorted(r.event.topic for r in outcome.events if r.event.topic.startswith("unit.")) == [
        "unit.staff_joined",
        "unit.staff_left",
    ]
    moved = ledger.person("01", right)
    assert [e.insurance_type for e in moved.enrollments.values()] == ["310"]
    assert {pid for pid, _ in ledger.unit(EMPLOYER).staff} == {person_id("01", right)}
    with pytest.raises(DomainError, match="person.merged"):
        ledger.execute(enroll_resident(wrong), ctx())


def test_legacy_rows_are_history_flagged_not_refused_and_idempotent_by_source_row(with_units):
    ledger = with_units

    def row(n: int, insurance_type: str, region: str) -> cmd.ImportLegacyEnrollment:
        return cmd.ImportLegacyEnrollment(
            effective=date(2015, 1, 1),
            id_number=ID,
            name="张三",
            gender="1",
            birth_date=date(1985, 6, 1),
            ethnicity="01",
            insurance_type=insurance_type,
            region=region,
            pooling_region=region[:4] + "00",
            unit_code="LEGACY-01",
            person_type="1501" if insurance_type == "390" else "1101",
            enrollment_status="1",
            contribution_status="1",
            start=date(2015, 1, 1),
            end=date(2019, 12, 1) if insurance_type == "390" else None,  # residents: paid through 2019
            region_name={"350102": "鼓楼区", "350103": "台江区"}[region],
            reason="11",
            source="extract-2019.csv",
            row=n,
        )

    ledger.execute(row(1, "390", "350102"), ctx(channel="import"))
    second = ledger.execute(row(2, "390", "350103"), ctx(channel="import"))  # a within-scheme duplicate: accepted
    assert second.events[0].event.duplicates_of
    assert ledger.execute(row(2, "390", "350103"), ctx(channel="import")).events == []
    assert len(ledger.person("01", ID).enrollments) == 2


def test_a_contribution_month_is_stored_reloaded_and_kept_out_of_the_rosters(with_units):
    from decimal import Decimal

    ledger = with_units
    ledger.execute(register(ID), at(1))
    ledger.execute(enroll_employee(ID), at(2))
    outcome = ledger.execute(cmd.RecordContribution(
        effective=date(2020, 1, 1), id_number=ID, insurance_type="310", region="350102", unit_code=EMPLOYER,
        base=Decimal("5000.00"), unit_amount=Decimal("400.00"), personal_amount=Decimal("100.00"), source="tax",
    ), at(3))
    assert [r.event.topic for r in outcome.events] == ["person.contribution_recorded"]  # no roster change
    month = ledger.person("01", ID).contributions[(date(2020, 1, 1), "310", "350102")]
    assert (month.base, month.unit_amount, month.personal_amount) == (Decimal("5000.00"), Decimal("400.00"),
                                                                      Decimal("100.00"))


def test_a_clock_stepping_back_never_records_an_event_before_its_streams_last(with_units, caplog):
    ledger = with_units
    ledger.execute(register(ID), at(10))
    enrolled = ledger.execute(enroll_employee(ID), at(11))
    [enrollment_id] = [r.event.enrollment_id for r in enrolled.events if r.event.topic == "person.enrolled"]
    an_hour_back = ctx(now=T0 + timedelta(days=11) - timedelta(hours=1))
    suspended = ledger.execute(cmd.Suspend(effective=date(2020, 1, 1), id_number=ID, enrollment_id=enrollment_id,
                                           reason="6301"), an_hour_back)
    assert suspended.events[0].recorded_at > enrolled.events[-1].recorded_at
    assert "not after the last recorded event" in caplog.text
    history = ledger.person_stream("01", ID).events
    assert [r.recorded_at for r in history] == sorted(r.recorded_at for r in history)
    assert snapshot(history, date(2020, 6, 1), suspended.events[0].recorded_at)  # answers, no KeyError


def test_a_unit_corrects_online_only_once_its_campaign_opens_corrections(with_units):
    from domain.events import Actor
    from projections.catalog import BY_NAME
    from projections.runner import ProjectionRunner

    ledger = with_units
    ledger.execute(cmd.OpenCampaign(
        effective=date(2026, 6, 1), campaign_id="2026核对", name="2026年参保信息核对", region="350100",
        export_from=date(2026, 6, 1), export_to=date(2026, 6, 9), correction_from=date(2026, 6, 10),
        correction_to=date(2026, 11, 30), locked_until=date(2026, 12, 31)), at(0))
    ProjectionRunner(ledger.store.datastore).catch_up(BY_NAME["campaigns"])
    agent = Actor(kind="unit_agent", id="hr-1", unit_code=EMPLOYER)
    change = cmd.ChangeUnitInfo(effective=date(2026, 6, 5), unit_code=EMPLOYER, changes={"name": "新名称"})
    in_export_window = ctx(now=datetime(2026, 6, 5, 2, tzinfo=timezone.utc), channel="unit_portal", actor=agent)
    with pytest.raises(DomainError, match="campaign.corrections_not_open"):
        ledger.execute(change, in_export_window)
    in_correction_window = ctx(now=datetime(2026, 6, 12, 2, tzinfo=timezone.utc), channel="unit_portal", actor=agent)
    assert ledger.execute(change, in_correction_window).events
