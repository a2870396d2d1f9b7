"""Service requests through the ledger: 申请 → 受理 → 审核 → 办结, the carried command recorded
only when the request completes, in the same transaction, with the request as its cause."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain.access import NotAuthorised, Principal
from domain.clock import BEIJING
from domain.errors import DomainError
from domain.events import Actor
from domain.requests.state import request_stream
from domain.schemes import RETIRED_TYPES
from domain.unit_codes import check_character as unit_check_character
from tests.support.builders import EMPLOYER, enroll_employee, register, register_unit, resident_id

ID = resident_id(region="350102", born=date(1963, 5, 1), seq="131")  # a man of 63
WHEN = datetime(2026, 12, 7, 10, 0, tzinfo=BEIJING)  # a Monday, a filing day
AGENT = Principal("hr-1", "unit_agent", unit_code=EMPLOYER)
GULOU = Principal("clerk-gulou", "office", region="350102")  # the insured region's office
CANGSHAN = Principal("clerk-cangshan", "office", region="350104")  # another county of the same city
XIAMEN = Principal("clerk-xiamen", "office", region="350203")  # another city
FORM = cmd.Material(name="职工基本医疗保险参保登记表", sha256="a" * 64, size=120_000)
COPY = cmd.Material(name="参保人员有效身份证件复印件", sha256="b" * 64, size=80_000)


def context(who: Principal, now: datetime = WHEN) -> cmd.Context:
    channel = {"office": "office", "unit_agent": "unit_portal"}[who.role]
    return cmd.Context(command_id=uuid4(), now=now, channel=channel,
                       actor=Actor(kind=who.role, id=who.subject, region=who.region, unit_code=who.unit_code))


def step(ledger: Ledger, who: Principal, command: cmd.Command, now: datetime = WHEN):
    return ledger.execute(command, context(who, now), who).events


@pytest.fixture
def employed(ledger: Ledger) -> Ledger:
    office = cmd.Context(command_id=uuid4(), now=datetime(2026, 11, 2, tzinfo=BEIJING), channel="office",
                         actor=Actor(kind="office", id="clerk", region="350102"))
    for command in (register_unit(), register(ID), enroll_employee(ID, effective=date(2010, 1, 1))):
        ledger.execute(command, office.__class__(**{**office.__dict__, "command_id": uuid4()}))
    return ledger


def retirement(request_id=None, materials=(FORM, COPY)) -> cmd.ApplyForService:
    return cmd.ApplyForService(request_id=request_id or uuid4(), item_code="002036001002", command="Retire",
                               id_number=ID, arguments={"effective": "2026-12-01"}, materials=materials)


def person_type(ledger: Ledger) -> str:
    [enrollment] = ledger.person("01", ID).open_enrollments()
    return enrollment.person_type


def test_a_units_retirement_filing_waits_for_review_and_is_recorded_when_completed(employed):
    ledger, first, second = employed, retirement(), retirement()
    step(ledger, AGENT, first)
    assert person_type(ledger) not in RETIRED_TYPES, "pending: the person's record is unchanged"
    step(ledger, CANGSHAN, cmd.AcceptRequest(request_id=first.request_id))  # any office of the city accepts
    with pytest.raises(NotAuthorised, match="insured region 350102"):
        step(ledger, CANGSHAN, cmd.RejectRequest(request_id=first.request_id, reason="缺少退休审批表"))
    step(ledger, GULOU, cmd.RejectRequest(request_id=first.request_id, reason="缺少退休审批表"))
    with pytest.raises(DomainError, match="request.stage"):
        step(ledger, GULOU, cmd.CompleteRequest(request_id=first.request_id))
    assert person_type(ledger) not in RETIRED_TYPES, "a rejected request records nothing"

    step(ledger, AGENT, second)
    step(ledger, GULOU, cmd.AcceptRequest(request_id=second.request_id))
    step(ledger, GULOU, cmd.ApproveRequest(request_id=second.request_id))
    completed = step(ledger, GULOU, cmd.CompleteRequest(request_id=second.request_id))
    assert person_type(ledger) in RETIRED_TYPES
    retired = [r for r in completed if r.event.topic.startswith("person.")]
    assert retired and {r.meta.cause for r in completed} == {second.request_id}
    assert {r.meta.command for r in completed} == {"CompleteRequest"}


def test_an_office_of_another_city_may_not_accept(employed):
    application = retirement()
    step(employed, AGENT, application)
    with pytest.raises(NotAuthorised, match="another city"):
        step(employed, XIAMEN, cmd.AcceptRequest(request_id=application.request_id))


def test_an_application_missing_a_material_is_refused_and_nothing_is_written(employed):
    with pytest.raises(DomainError, match="参保人员有效身份证件复印件"):
        step(employed, AGENT, application := retirement(materials=(FORM,)))
    assert employed.store.load(request_stream(application.request_id)).version == 0


def test_an_application_the_ledger_would_refuse_is_refused_when_filed(employed):
    early = cmd.ApplyForService(request_id=uuid4(), item_code="002036001002", command="Retire", id_number=ID,
                                arguments={"effective": "1999-01-01"}, materials=(FORM, COPY))
    with pytest.raises(DomainError):
        step(employed, AGENT, early)


def test_a_unit_may_not_file_for_another_units_staff(employed):
    other = Principal("hr-2", "unit_agent", unit_code="A1110000MB0000000J")
    with pytest.raises(NotAuthorised):
        step(employed, other, retirement())


def test_an_instant_item_is_completed_at_any_counter_of_the_city_in_one_step(employed):
    change = cmd.ApplyForService(
        request_id=uuid4(), item_code="002036001005", command="CorrectBaseInfo", id_number=ID,
        arguments={"effective": "2026-12-07", "changes.phone": "13900000000"}, materials=(
            cmd.Material(name="医保电子凭证或有效身份证件或社保卡", sha256="c" * 64, size=1),
            cmd.Material(name="基本医疗保险参保信息变更登记表", sha256="d" * 64, size=1)))
    recorded = step(employed, CANGSHAN, change)
    assert [r.event.topic for r in recorded if r.event.topic.startswith("request.")] == [
        "request.applied", "request.accepted", "request.completed"]
    assert employed.person("01", ID).phone == "13900000000"
    assert {r.meta.cause for r in recorded} == {change.request_id}


def test_requests_about_units_take_the_same_stages(employed):
    """A unit's own change online (即时办结), and a new unit registered at a counter through review."""
    ledger = employed
    change = cmd.ApplyForService(
        request_id=uuid4(), item_code="002036001004", command="ChangeUnitInfo", unit_code=EMPLOYER,
        arguments={"effective": "2026-12-07", "changes.name": "某公司（更名）"},
        materials=(cmd.Material(name="基本医疗保险参保单位信息变更登记表", sha256="c" * 64, size=1),))
    recorded = step(ledger, AGENT, change)
    assert [r.event.topic for r in recorded if r.event.topic.startswith("request.")] == [
        "request.applied", "request.accepted", "request.completed"]
    assert ledger.unit(EMPLOYER).name == "某公司（更名）"

    new_unit = "91350102MA2Y0E0E0" + unit_check_character("91350102MA2Y0E0E0")
    registration = cmd.ApplyForService(
        request_id=uuid4(), item_code="002036001001", command="RegisterUnit", unit_code=new_unit,
        arguments={"effective": "2026-12-07", "name": "新设公司", "unit_type": "10", "region": "350102"},
        materials=tuple(cmd.Material(name=name, sha256="d" * 64, size=1)
                        for name in ("基本医疗保险单位参保信息登记表", "统一社会信用代码证书或营业执照")))
    step(ledger, GULOU, registration)
    assert not ledger.unit(new_unit).registered, "applied and accepted at the counter, not yet reviewed"
    step(ledger, GULOU, cmd.ApproveRequest(request_id=registration.request_id))
    step(ledger, GULOU, cmd.CompleteRequest(request_id=registration.request_id))
    assert ledger.unit(new_unit).registered and ledger.unit(new_unit).region == "350102"
