"""Careless and hostile clients over real HTTP: every one gets a clear 4xx or a refusal that
names the field and the rule, nothing is written for it, and the ledger keeps serving others.

The server runs on a fixed clock inside the unit channel's filing days (10 December 2026).
"""

from __future__ import annotations

import base64
import contextlib
import re
import threading
import time
from uuid import uuid4

import httpx
import pytest

from ledger_api.auth import Principal
from tests.conftest import throwaway_database
from tests.e2e.client import Client
from tests.e2e.conftest import serving
from tests.support.builders import EMPLOYER, EMPLOYER_2, resident_id

OFFICE = Principal("clerk-h", "office", region="350100")
AGENT_A = Principal("agent-a", "unit_agent", unit_code=EMPLOYER)
ANALYST = Principal("stats-1", "analyst")
STAFF = resident_id(seq="811")
OTHER = resident_id(seq="813")
HISTORY = '{ person(idNumber: "%s") { history { type details } } }'


@pytest.fixture(scope="module")
def server(server_conninfo):
    with throwaway_database(server_conninfo, "canbao_hostile") as database, serving(
            database, "--clock", "2026-12-10T10:00+08:00") as base:
        yield base


@pytest.fixture(scope="module")
def world(server):
    office = Client(server, OFFICE)
    for code, name in ((EMPLOYER, "甲"), (EMPLOYER_2, "乙")):
        office.do("registerUnit", {"effective": "2000-01-01", "unitCode": code, "name": name, "unitType": "10",
                                   "region": "350100"})
    enrolled = {}
    for number, unit in ((STAFF, EMPLOYER), (OTHER, EMPLOYER_2)):
        office.do("registerPerson", {"effective": "2005-01-01", "idNumber": number, "name": "职工", "gender": "1",
                                     "birthDate": "1985-06-01", "ethnicity": "01", "phone": "13800000000"})
        result = office.do("enroll", {"effective": "2012-03-01", "idNumber": number, "insuranceType": "310",
                                      "region": "350102", "unitCode": unit, "personType": "1101"},
                           select="events { details }")
        enrolled[number] = result["events"][0]["details"]["enrollment_id"]
    return {"server": server, "office": office, "enrolled": enrolled}


def events_of(world, number: str) -> int:
    return len(world["office"].data(HISTORY % number)["person"]["history"])


def post_raw(server: str, body: bytes, principal: Principal = OFFICE, timeout: float = 10) -> httpx.Response:
    from tests.e2e.client import token_for

    return httpx.post(f"{server}/graphql", content=body, timeout=timeout,
                      headers={"content-type": "application/json", "authorization": f"Bearer {token_for(principal)}"})


def test_a_nul_in_a_phone_is_refused_naming_the_field_and_nothing_is_written(world):
    person = Client(world["server"], Principal("self", "person", id_number=STAFF))
    before = events_of(world, STAFF)
    answer = person.mutate("correctBaseInfo", {"effective": "2026-12-01", "idNumber": STAFF,
                                               "changes": [{"field": "phone", "value": "1380000\u00000000"}]})
    result = answer["data"]["correctBaseInfo"]
    assert not result["ok"]
    assert [(e["field"], e["label"], e["rule"]) for e in result["errors"]] == [
        ("phone", "联系电话", "text.control_character")]
    assert events_of(world, STAFF) == before


def test_a_name_with_a_lone_surrogate_is_answered_400_not_500(world):
    body = ('{"query": "mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { ok } }", '
            '"variables": {"i": {"commandId": "%s", "effective": "2020-01-01", "idNumber": "%s", '
            '"name": "\\ud800", "gender": "1", "birthDate": "1985-06-01", "ethnicity": "01"}}}'
            % (uuid4(), resident_id(seq="815"))).encode()
    response = post_raw(world["server"], body)
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["rule"] == "request.json"


def test_a_two_megabyte_address_is_refused_at_once_while_another_client_writes(world):
    huge = ('{"query": "mutation { x }", "variables": {"address": "%s"}}' % ("地" * 700_000)).encode()
    other: dict = {}

    def write_meanwhile() -> None:
        other["result"] = world["office"].do("registerPerson", {
            "effective": "2010-01-01", "idNumber": resident_id(seq="817"), "name": "旁人", "gender": "1",
            "birthDate": "1985-06-01", "ethnicity": "01"})

    writer = threading.Thread(target=write_meanwhile)
    started = time.monotonic()
    writer.start()
    response = post_raw(world["server"], huge)
    assert response.status_code == 413 and time.monotonic() - started < 1.0
    assert response.json()["errors"][0]["extensions"]["rule"] == "request.too_large"
    writer.join(10)
    assert other["result"]["ok"]


def test_an_address_longer_than_any_form_is_refused_naming_the_field(world):
    answer = world["office"].mutate("registerPerson", {
        "effective": "2010-01-01", "idNumber": resident_id(seq="819"), "name": "长地址", "gender": "1",
        "birthDate": "1985-06-01", "ethnicity": "01", "address": "福州" * 5_000})
    result = answer["data"]["registerPerson"]
    assert not result["ok"] and [(e["field"], e["rule"]) for e in result["errors"]] == [("address", "text.too_long")]


def test_bytes_that_are_not_utf8_are_answered_400(world):
    response = post_raw(world["server"], b'{"query": "{ __typename \xff\xfe }"}')
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["rule"] == "request.encoding"


def test_json_nested_past_any_real_request_is_answered_400(world):
    body = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}}"
    response = post_raw(world["server"], body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["rule"] in ("request.nesting", "request.json")


def test_known_at_without_an_offset_is_a_field_error_not_an_unexpected_one(world):
    answer = world["office"].post('{ person(idNumber: "%s") { history(knownAt: "2020-06-30T00:00:00") '
                                  '{ type } } }' % STAFF)
    [error] = answer["errors"]
    assert "Unexpected" not in error["message"] and "knownAt" in error["message"]


def test_a_forged_cursor_is_a_field_error_not_an_unexpected_one(world):
    forged = base64.urlsafe_b64encode(b"00000000-0000-0000-0000-000000000000|x").decode()
    answer = world["office"].post('{ duplicateSets(after: "%s") { edges { cursor } } }' % forged)
    [error] = answer["errors"]
    assert "Unexpected" not in error["message"] and "after" in error["message"]


def test_a_nul_in_a_query_argument_is_refused_not_unexpected(world):
    answer = world["office"].post("query($c: String!) { unit(code: $c) { name } }", {"c": "A\u0000B"})
    [error] = answer["errors"]
    assert "Unexpected" not in error["message"] and "U+0000" in error["message"]


def test_a_region_given_with_blanks_is_stored_without_them(world):
    number = resident_id(seq="821")
    office = world["office"]
    office.do("registerPerson", {"effective": "2005-01-01", "idNumber": number, "name": "空格", "gender": "1",
                                 "birthDate": "1985-06-01", "ethnicity": "01"})
    result = office.do("enroll", {"effective": "2012-03-01", "idNumber": number, "insuranceType": "310",
                                  "region": "350103 ", "unitCode": EMPLOYER, "personType": "1101"},
                       select="events { details }")
    assert result["events"][0]["details"]["region"] == "350103"


def test_a_unit_agent_cannot_resume_its_staff_into_another_unit_and_nothing_is_written(world):
    agent = Client(world["server"], AGENT_A)
    enrollment = world["enrolled"][STAFF]
    agent.do("suspend", {"effective": "2026-12-01", "idNumber": STAFF, "enrollmentId": enrollment,
                         "reason": "6307"})
    before = events_of(world, STAFF)
    answer = agent.mutate("resume", {"effective": "2026-12-05", "idNumber": STAFF, "enrollmentId": enrollment,
                                     "unitCode": EMPLOYER_2})
    assert answer["data"] is None and "own unit" in answer["errors"][0]["message"]
    assert EMPLOYER_2 not in str(answer)
    answer = agent.mutate("correctEnrollment", {"effective": "2026-12-05", "idNumber": STAFF,
                                                "enrollmentId": enrollment, "reason": "录入错误",
                                                "changes": [{"field": "unit_code", "value": EMPLOYER_2}]})
    assert answer["data"] is None and "own unit" in answer["errors"][0]["message"]
    assert events_of(world, STAFF) == before
    agent.do("resume", {"effective": "2026-12-05", "idNumber": STAFF, "enrollmentId": enrollment})


def test_dates_no_form_means_are_refused(world):
    office = world["office"]
    far = office.mutate("registerPerson", {"effective": "9999-12-31", "idNumber": resident_id(seq="823"),
                                           "name": "远", "gender": "1", "birthDate": "1985-06-01", "ethnicity": "01"})
    assert [e["rule"] for e in far["data"]["registerPerson"]["errors"]] == ["effective_date.beyond_horizon"]
    early = office.mutate("registerPerson", {"effective": "1980-01-01", "idNumber": resident_id(seq="825"),
                                             "name": "早", "gender": "1", "birthDate": "1985-06-01",
                                             "ethnicity": "01"})
    assert [e["rule"] for e in early["data"]["registerPerson"]["errors"]] == ["effective_date.before_birth"]


ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def test_an_analyst_can_recover_no_masked_number_from_anything_it_receives(world):
    office, analyst = world["office"], Client(world["server"], ANALYST)
    number = resident_id(seq="827")
    office.do("registerPerson", {"effective": "2005-01-01", "idNumber": number, "name": "重复", "gender": "1",
                                 "birthDate": "1985-06-01", "ethnicity": "01"})
    office.do("enroll", {"effective": "2012-03-01", "idNumber": number, "insuranceType": "310",
                         "region": "350102", "unitCode": EMPLOYER, "personType": "1101"})
    office.do("registerUnit", {"effective": "2000-01-01", "unitCode": "C350102001", "name": "社区", "unitType": "90",
                               "managementType": "08", "region": "350100"})
    office.do("enroll", {"effective": "2013-01-01", "idNumber": number, "insuranceType": "390", "region": "350102",
                         "unitCode": "C350102001", "personType": "1501"})
    query = ('{ duplicateSets(first: 1) { edges { cursor node { idNumber firstEnrollmentId secondEnrollmentId '
             'keepEnrollmentId cleanEnrollmentId } } pageInfo { endCursor } } '
             'anomalies(first: 5) { edges { cursor node { subjectCode detail } } } }')
    seen = ""
    for _ in range(100):  # the server's projections catch up in the background
        seen = str(analyst.data(query))
        if "firstEnrollmentId" in seen and "subjectCode" in seen:
            break
        time.sleep(0.1)
    real_ids = {str(v) for v in office.data(HISTORY % number)["person"]["history"][-1]["details"].values()}
    assert "firstEnrollmentId" in seen
    assert not ID_NUMBER.search(seen), "a whole ID number reached an analyst"
    assert not any(real in seen for real in real_ids if len(real) == 36), "a real enrollment id reached an analyst"
    for cursor in re.findall(r"'(?:cursor|endCursor)': '([^']+)'", seen):
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        assert not re.search(rb"[0-9a-f]{8}-[0-9a-f]{4}", decoded), "a cursor carries a readable id"


def test_with_postgresql_killed_clients_get_503_fast_and_writes_and_pages_resume_after_restart(tmp_path):
    import psutil

    from canbao.database import embedded_server, ensure_database
    from tests.e2e.client import token_for

    postgres = embedded_server(tmp_path / "pg", cleanup_mode="delete")
    try:
        database = ensure_database(postgres.get_uri(), "canbao")
        with serving(database) as base:
            office = Client(base, OFFICE)
            office.do("registerUnit", {"effective": "2000-01-01", "unitCode": EMPLOYER, "name": "甲",
                                       "unitType": "10", "region": "350100"})
            pages = "{ duplicateSets(first: 5) { edges { node { kind } } } }"
            assert office.data(pages)["duplicateSets"]["edges"] == []  # read on the server's event loop
            postmaster = psutil.Process(postgres.get_pid())
            for process in [postmaster, *postmaster.children(recursive=True)]:  # kill -9, as an outage does
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
            with contextlib.suppress(psutil.Error):
                postmaster.wait(5)  # reaped, so the restart below sees it gone
            command = {"commandId": str(uuid4()), "effective": "2005-01-01", "idNumber": STAFF, "name": "宕机",
                       "gender": "1", "birthDate": "1985-06-01", "ethnicity": "01"}
            mutation = ("mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ok "
                        "errors { rule } } }")
            started = time.monotonic()
            response = httpx.post(f"{base}/graphql", json={"query": mutation, "variables": {"input": command}},
                                  headers={"authorization": f"Bearer {token_for(OFFICE)}"}, timeout=30)
            assert response.status_code == 503 and time.monotonic() - started < 10
            assert response.json()["errors"][0]["message"] == "storage unavailable, retry"
            started = time.monotonic()
            page = httpx.post(f"{base}/graphql", json={"query": pages},
                              headers={"authorization": f"Bearer {token_for(OFFICE)}"}, timeout=30)
            assert page.status_code == 503 and time.monotonic() - started < 10
            assert page.json()["errors"][0]["message"] == "storage unavailable, retry"
            started = time.monotonic()
            history = httpx.post(f"{base}/graphql", json={"query": HISTORY % STAFF},  # read on the loop too
                                 headers={"authorization": f"Bearer {token_for(OFFICE)}"}, timeout=30)
            assert history.status_code == 503 and time.monotonic() - started < 10
            assert history.json()["errors"][0]["message"] == "storage unavailable, retry"
            health = httpx.get(f"{base}/healthz", timeout=30)
            assert health.status_code == 503
            postgres.ensure_postgres_running()
            for _ in range(10):  # the pool reconnects
                retried = httpx.post(f"{base}/graphql", json={"query": mutation, "variables": {"input": command}},
                                     headers={"authorization": f"Bearer {token_for(OFFICE)}"}, timeout=30)
                if retried.status_code == 200:
                    break
                time.sleep(0.2)
            assert retried.json()["data"]["registerPerson"]["ok"], (retried.status_code, retried.text)
            for _ in range(10):  # and the event loop's pool too
                read = httpx.post(f"{base}/graphql", json={"query": pages},
                                  headers={"authorization": f"Bearer {token_for(OFFICE)}"}, timeout=30)
                if read.status_code == 200:
                    break
                time.sleep(0.2)
            assert read.json()["data"]["duplicateSets"]["edges"] == [], (read.status_code, read.text)
            assert len(office.data(HISTORY % STAFF)["person"]["history"]) == 1
    finally:
        postgres.cleanup()


def test_a_refusal_tells_a_unit_agent_nothing_about_another_units_enrollment(world):
    agent = Client(world["server"], AGENT_A)
    answer = agent.mutate("enroll", {"effective": "2026-12-01", "idNumber": OTHER, "insuranceType": "310",
                                     "region": "350102", "unitCode": EMPLOYER, "personType": "1101"})
    result = answer["data"]["enroll"]
    assert not result["ok"] and result["errors"][0]["rule"] == "enrollment.duplicate_within_scheme"
    said = str(result)
    assert world["enrolled"][OTHER] not in said and "350102" not in said and EMPLOYER_2 not in said


def test_pages_of_anomalies_follow_on_from_the_cursor_each_edge_and_the_page_give(world):
    office = world["office"]
    for seq in ("611", "631", "651"):  # odd: men
        number = resident_id(seq=seq)
        office.do("registerPerson", {"effective": "2005-01-01", "idNumber": number, "name": "无电话", "gender": "1",
                                     "birthDate": "1985-06-01", "ethnicity": "01"})
        office.do("enroll", {"effective": "2012-03-01", "idNumber": number, "insuranceType": "310",
                             "region": "350102", "unitCode": EMPLOYER, "personType": "1101"})
    page = "query($after: String) { anomalies(kind: \"phone_missing\", first: 1, after: $after) { " \
           "edges { cursor node { subjectCode } } pageInfo { endCursor hasNextPage } } }"
    for _ in range(100):  # the server's projections catch up in the background
        everything = office.data(page.replace("first: 1", "first: 50"), {"after": None})["anomalies"]["edges"]
        if len(everything) >= 3:
            break
        time.sleep(0.1)
    walked, after = [], None
    while True:
        answer = office.data(page, {"after": after})["anomalies"]
        [edge] = answer["edges"]
        walked.append(edge["node"]["subjectCode"])
        if not answer["pageInfo"]["hasNextPage"]:
            break
        # Each seal is fresh (its own nonce), so the two differ as text: either continues the list.
        after = edge["cursor"] if len(walked) % 2 else answer["pageInfo"]["endCursor"]
    assert walked == [e["node"]["subjectCode"] for e in everything]
