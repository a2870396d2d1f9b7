"""A person's contribution record (缴费记录) through the API: months recorded by an office come back
month by month, and the summary counts them, finds the gap (断缴) and says whether it can be paid up."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timezone

import pytest

from application.documents.pdf import text_lines
from ledger_api.auth import Principal
from tests.e2e.client import Client
from tests.support.builders import EMPLOYER, EMPLOYER_2, resident_id

ID = resident_id(seq="737")
OFFICE = Principal("clerk-7", "office", region="350000")
PAID = ["2020-01-01", "2020-02-01", "2020-03-01", "2020-06-01", "2020-07-01"]  # April and May missing
SUMMARY = """query($id: String!, $asOf: Date, $knownAt: DateTime) { person(idNumber: $id) {
  contributionSummary(asOf: $asOf, knownAt: $knownAt) { employeeMonths employeeYears employeeExtraMonths
    monthsPaid { insuranceType { code } region months }
    gaps { region firstMonth lastMonth months canBePaidUp } } } }"""


@pytest.fixture(scope="module")
def record(server):
    office = Client(server, OFFICE)
    office.register_unit(EMPLOYER)
    office.register_person(ID, "陈缴费")
    office.do("enroll", {"effective": "2020-01-01", "idNumber": ID, "insuranceType": "310", "region": "350102",
                         "poolingRegion": "350100", "unitCode": EMPLOYER, "personType": "1101"})
    before_june = None
    for month in PAID:
        if month == "2020-06-01":
            before_june = datetime.now(timezone.utc).isoformat()
        office.do("recordContribution", {"effective": month, "idNumber": ID, "insuranceType": "310",
                                         "region": "350102", "unitCode": EMPLOYER, "base": "6000.00",
                                         "unitAmount": "480.00", "personalAmount": "120.00"})
    return {"client": office, "before_june": before_june}


def summary(record, as_of: str, known_at: str | None = None) -> dict:
    answer = record["client"].data(SUMMARY, {"id": ID, "asOf": as_of, "knownAt": known_at})
    return answer["person"]["contributionSummary"]


def test_every_recorded_month_comes_back_with_its_amounts(record):
    answer = record["client"].data(
        """query($id: String!) { person(idNumber: $id) {
             contributions(from: "2020-02-01", to: "2020-06-01") { month unitCode base unitAmount personalAmount
               insuranceType { code label } } } }""", {"id": ID})
    months = answer["person"]["contributions"]
    assert [m["month"] for m in months] == ["2020-02-01", "2020-03-01", "2020-06-01"]
    assert {(m["base"], m["unitAmount"], m["personalAmount"], m["unitCode"]) for m in months} == {
        ("6000.00", "480.00", "120.00", EMPLOYER)}
    assert months[0]["insuranceType"] == {"code": "310", "label": "职工基本医疗保险"}


def test_the_summary_counts_the_months_and_finds_the_two_month_gap(record):
    s = summary(record, "2020-08-15")
    assert s["monthsPaid"] == [{"insuranceType": {"code": "310"}, "region": "350102", "months": 5}]
    assert (s["employeeMonths"], s["employeeYears"], s["employeeExtraMonths"]) == (5, 0, 5)
    assert s["gaps"] == [{"region": "350102", "firstMonth": "2020-04-01", "lastMonth": "2020-05-01", "months": 2,
                          "canBePaidUp": True}]


def test_the_unpaid_current_month_is_not_yet_a_gap_but_a_finished_one_is(record):
    assert summary(record, "2020-08-15")["gaps"][-1]["lastMonth"] == "2020-05-01"  # August still open
    assert summary(record, "2020-09-01")["gaps"][-1] == {
        "region": "350102", "firstMonth": "2020-08-01", "lastMonth": "2020-08-01", "months": 1, "canBePaidUp": True}


def test_as_known_before_june_was_recorded_the_gap_ran_four_months_and_could_not_be_paid_up(record):
    s = summary(record, "2020-08-15", known_at=record["before_june"])
    assert s["employeeMonths"] == 3
    assert s["gaps"] == [{"region": "350102", "firstMonth": "2020-04-01", "lastMonth": "2020-07-01", "months": 4,
                          "canBePaidUp": False}]


UNIT_MONTH = """query($code: String!, $month: Date!) { unit(code: $code) {
  contributions(month: $month) { idNumber name base unitAmount personalAmount } } }"""


def unit_month(client: Client, code: str, month: str) -> dict:
    for _ in range(100):  # the server's projection runner catches up in the background
        answer = client.post(UNIT_MONTH, {"code": code, "month": month})
        if answer.get("errors") or (answer["data"]["unit"] or {}).get("contributions"):
            return answer
        time.sleep(0.1)
    return answer


def test_a_unit_lists_what_it_paid_for_its_staff_in_a_month_and_sees_no_other_units_list(record, server):
    own = unit_month(Client(server, Principal("agent-e", "unit_agent", unit_code=EMPLOYER)), EMPLOYER, "2020-06-20")
    assert own["data"]["unit"]["contributions"] == [
        {"idNumber": ID, "name": "陈缴费", "base": "6000.00", "unitAmount": "480.00", "personalAmount": "120.00"}]
    other = Client(server, Principal("agent-2", "unit_agent", unit_code=EMPLOYER_2))
    assert other.post(UNIT_MONTH, {"code": EMPLOYER, "month": "2020-06-01"})["errors"]
    assert record["client"].data(UNIT_MONTH, {"code": EMPLOYER, "month": "2020-04-01"})["unit"]["contributions"] == []


PRINT = """mutation($id: String!) { printDocument(kind: CERTIFICATE, idNumber: $id, asOf: "2020-08-31") {
  code title fileName pdfBase64 } }"""
VERIFY = "query($code: String!) { verifyDocument(code: $code) { verdict message supersededSince } }"


def test_an_office_prints_a_certificate_and_anyone_signed_in_can_verify_its_code(record, server):
    printed = record["client"].data(PRINT, {"id": ID})["printDocument"]
    text = "\n".join(text_lines(base64.b64decode(printed["pdfBase64"])))
    assert printed["title"] == "基本医疗保险参保凭证" and "陈缴费" in text and ID in text
    assert f"验证码：{printed['code']}" in text and "职工医保累计缴费：5 个月（0 年 5 个月）" in text
    analyst = Client(server, Principal("ana-9", "analyst"))
    verified = analyst.data(VERIFY, {"code": printed["code"]})["verifyDocument"]
    assert (verified["verdict"], verified["supersededSince"]) == ("genuine", None)
    assert verified["message"].startswith("genuine and unchanged: certificate as of 2020-08-31")
    assert analyst.data(VERIFY, {"code": "AAAA-BBBB-CCCC-DDDD"})["verifyDocument"]["verdict"] == "not_issued"


def test_only_those_who_may_see_the_person_print_and_nobody_prints_for_a_stranger(record, server):
    for outsider in (Principal("agent-2", "unit_agent", unit_code=EMPLOYER_2), Principal("ana-9", "analyst"),
                     Principal("p-x", "person", id_number=resident_id(seq="999"))):
        assert Client(server, outsider).post(PRINT, {"id": ID})["errors"], outsider
    themself = Client(server, Principal("p-737", "person", id_number=ID)).data(PRINT, {"id": ID})["printDocument"]
    assert ID in "\n".join(text_lines(base64.b64decode(themself["pdfBase64"])))
