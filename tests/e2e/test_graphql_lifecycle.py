"""A person's whole life through the API, then history and snapshots at every step —
as known now, and as known before a retroactive correction."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import pytest

from ledger_api.auth import Principal
from tests.e2e.client import Client
from tests.support.builders import EMPLOYER, EMPLOYER_2, resident_id

ID = resident_id(seq="515")
OFFICE = Principal("clerk-1", "office", region="350000")
SNAPSHOT = """query($id: String!, $asOf: Date, $knownAt: DateTime) { person(idNumber: $id) {
  snapshot(asOf: $asOf, knownAt: $knownAt) { insuranceType { code } region status { code label }
    personType { code } unitCode validFrom validTo } } }"""


@pytest.fixture(scope="module")
def life(server):
    office = Client(server, OFFICE)
    for code in (EMPLOYER, EMPLOYER_2):
        office.do("registerUnit", {"effective": "2000-01-01", "unitCode": code, "name": "单位", "unitType": "10",
                                   "region": "350100"})
    office.do("registerPerson", {"effective": "2005-01-01", "idNumber": ID, "name": "林小红", "gender": "1",
                                 "birthDate": "1985-06-01", "ethnicity": "01"})
    enrolled = office.do("enroll", {"effective": "2012-03-01", "idNumber": ID, "insuranceType": "310",
                                    "region": "350102", "poolingRegion": "350100", "unitCode": EMPLOYER,
                                    "personType": "1101"}, select="events { details }")
    first = enrolled["events"][0]["details"]["enrollment_id"]
    office.do("suspend", {"effective": "2015-07-01", "idNumber": ID, "enrollmentId": first, "reason": "6301"})
    office.do("resume", {"effective": "2016-01-01", "idNumber": ID, "enrollmentId": first, "unitCode": EMPLOYER_2})
    office.do("retire", {"effective": "2024-06-01", "idNumber": ID})
    transfer = str(uuid4())
    office.do("transferOut", {"effective": "2025-03-01", "idNumber": ID, "enrollmentId": first,
                              "targetRegion": "350203", "direction": "11", "transferId": transfer})
    arrived = office.do("transferIn", {"effective": "2025-03-01", "idNumber": ID, "transferId": transfer,
                                       "insuranceType": "310", "region": "350203", "poolingRegion": "350200",
                                       "unitCode": EMPLOYER_2, "personType": "1201"}, select="events { details }")
    before_correction = datetime.now(timezone.utc)
    office.do(
        "correctEnrollment",
        {
            "effective": "2026-11-01",
            "idNumber": ID,
            "enrollmentId": first,
            "changes": [{"field": "start", "value": "2011-09-01"}],
            "reason": "入职日期录入错误",
            "evidence": ["劳动合同-0042"],
        },
    )
    return {
        "client": office,
        "first": first,
        "second": arrived["events"][0]["details"]["enrollment_id"],
        "before_correction": before_correction.isoformat(),
    }


def on(life, as_of: str, known_at: str | None = None) -> list[dict]:
    return life["client"].data(SNAPSHOT, {"id": ID, "asOf": as_of, "knownAt": known_at})["person"]["snapshot"]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2012-03-01", ("350102", "1", "1101", EMPLOYER)),  # enrolled
        ("2015-07-01", ("350102", "2", "1101", EMPLOYER)),  # suspended
        ("2016-01-01", ("350102", "1", "1101", EMPLOYER_2)),  # resumed with a new employer
        ("2024-06-01", ("350102", "1", "1201", EMPLOYER_2)),  # retired
        ("2025-03-01", ("350203", "1", "1201", EMPLOYER_2)),  # transferred to Xiamen
    ],
)
def test_each_snapshot_matches_its_step(life, as_of, expected):
    [spell] = on(life, as_of)
    assert (spell["region"], spell["status"]["code"], spell["personType"]["code"], spell["unitCode"]) == expected


def test_the_correction_changed_the_past_and_what_was_believed_before_it_is_still_there(life):
    assert [s["validFrom"] for s in on(life, "2011-10-01")] == ["2011-09-01"]
    assert on(life, "2011-10-01", life["before_correction"]) == []
    assert [s["validFrom"] for s in on(life, "2012-03-01", life["before_correction"])] == ["2012-03-01"]


def test_the_history_tells_every_event_with_who_when_why_and_on_what_evidence(life):
    history = life["client"].data(
        """query($id: String!) { person(idNumber: $id) { history {
        type validDate recordedAt actor { kind id } channel { code label } reason { code label }
        changeType { code label } evidence details } } }""",
        {"id": ID},
    )["person"]["history"]
    assert [h["type"] for h in history] == [
        "person.registered",
        "person.enrolled",
        "person.enrollment_suspended",
        "person.enrollment_resumed",
        "person.retired",
        "person.transferred_out",
        "person.enrolled",
        "person.enrollment_corrected",
    ]
    suspended, correction = history[2], history[-1]
    assert suspended["reason"] == {"code": "6301", "label": "劳动合同解除"} and suspended["changeType"]["code"] == "22"
    assert correction["evidence"] == ["劳动合同-0042"] and correction["channel"]["label"] == "医保经办机构"
    assert correction["details"]["changes"] == {"start": ["2012-03-01", "2011-09-01"]}
    assert all(h["actor"] == {"kind": "office", "id": "clerk-1"} for h in history)
    assert history[5]["changeType"]["code"] == "23"  # 转出统筹范围外


def test_history_as_known_before_the_correction_ends_before_it(life):
    history = life["client"].data(
        """query($id: String!, $t: DateTime) { person(idNumber: $id) {
        history(knownAt: $t) { type } } }""",
        {"id": ID, "t": life["before_correction"]},
    )["person"]["history"]
    assert history[-1]["type"] == "person.enrolled"


def test_a_15_digit_number_finds_the_same_person(server):
    office = Client(server, OFFICE)
    office.do(
        "registerPerson",
        {
            "effective": "2005-01-01",
            "idNumber": "350102850601771",
            "name": "旧号",
            "gender": "1",
            "birthDate": "1985-06-01",
            "ethnicity": "01",
        },
    )
    found = office.data('{ person(idNumber: "350102850601771") { idNumber } }')["person"]
    assert len(found["idNumber"]) == 18
