"""Every query and every mutation × every role and scope: allowed, or refused before anything
is read or written. Inputs are chosen so that whatever authorisation lets through is then
refused by a domain rule, so the matrix itself changes nothing it later depends on."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from uuid import uuid4

import pytest

from domain.clock import business_date
from ledger_api.auth import Principal
from ledger_api.commands import snake
from tests.e2e.client import Client, camel
from tests.support.builders import EMPLOYER, EMPLOYER_2, resident_id

STAFF = resident_id(seq="311")  # on unit A's staff
STRANGER = resident_id(seq="313")  # a person of no unit
UNIT_A, UNIT_B = EMPLOYER, EMPLOYER_2

# Unit A is not finance-funded: it files on days 1–24 (seed 002) of Beijing's calendar, the server's.
FILING_OPEN = business_date(datetime.now(timezone.utc)).day <= 24

PRINCIPALS = {
    "office_fuzhou": Principal("clerk-fz", "office", region="350100"),
    "office_xiamen": Principal("clerk-xm", "office", region="350200"),
    "agent_a": Principal("agent-a", "unit_agent", unit_code=UNIT_A),
    "agent_b": Principal("agent-b", "unit_agent", unit_code=UNIT_B),
    "person_staff": Principal("p-staff", "person", id_number=STAFF),
    "person_other": Principal("p-other", "person", id_number=STRANGER),
    "auditor": Principal("aud-1", "auditor"),
    "analyst": Principal("ana-1", "analyst"),
    "anonymous": None,
}


def credit_code(body17: str) -> str:
    from domain.unit_codes import check_character

    return body17 + check_character(body17)


UNIT_C, UNIT_D = credit_code("91350100MA2Y0C0C0"), credit_code("91350100MA2Y0D0D0")


@pytest.fixture(scope="module")
def world(server):
    office = Client(server, PRINCIPALS["office_fuzhou"])
    for code, name in ((UNIT_A, "甲单位"), (UNIT_B, "乙单位"), (UNIT_C, "丙单位"), (UNIT_D, "丁单位")):
        office.do("registerUnit", {"effective": "2000-01-01", "unitCode": code, "name": name, "unitType": "10",
                                   "region": "350100"})
    office.do("interruptUnitContributions", {"effective": "2020-01-01", "unitCode": UNIT_C})
    office.do("cancelUnit", {"effective": "2020-01-01", "unitCode": UNIT_D, "suspendStaff": False})
    for number in (STAFF, STRANGER):
        office.do("registerPerson", {"effective": "2010-01-01", "idNumber": number, "name": "测试", "gender": "1",
                                     "birthDate": "1985-06-01", "ethnicity": "01", "phone": "13800000000"})
    enrolled = office.do("enroll", {"effective": "2012-03-01", "idNumber": STAFF, "insuranceType": "310",
                                    "region": "350102", "poolingRegion": "350100", "unitCode": UNIT_A,
                                    "personType": "1101"}, select="events { details }")
    return {"server": server, "enrollment": enrolled["events"][0]["details"]["enrollment_id"]}


def mutations(enrollment: str) -> dict[str, dict]:
    staff = {"idNumber": STAFF}
    return {
        "registerPerson": {
            **staff,
            "effective": "2010-01-01",
            "name": "测试",
            "gender": "1",
            "birthDate": "1985-06-01",
            "ethnicity": "01",
        },  # already registered
        "enroll": {
            **staff,
            "effective": "2013-01-01",
            "insuranceType": "310",
            "region": "350102",
            "unitCode": UNIT_A,
            "personType": "1101",
        },  # a within-scheme duplicate
        "suspend": {**staff, "effective": "2014-01-01", "enrollmentId": enrollment, "reason": "6402"},
        "resume": {**staff, "effective": "2014-01-01", "enrollmentId": enrollment},  # not suspended
        "terminate": {**staff, "effective": "2014-01-01", "enrollmentId": enrollment, "reason": "6301"},
        "retire": {**staff, "effective": "1990-01-01", "evidence": ["退休审批表"]},  # before the last change
        "die": {**staff, "effective": "1990-01-01", "evidence": ["死亡证明"]},
        "transferOut": {
            **staff,
            "effective": "2014-01-01",
            "enrollmentId": enrollment,
            "targetRegion": "350203",
            "direction": "41",
            "transferId": str(uuid4()),
        },  # direction from the other scheme
        "transferIn": {
            **staff,
            "effective": "2014-01-01",
            "transferId": str(uuid4()),
            "insuranceType": "310",
            "region": "350102",
            "unitCode": UNIT_A,
            "personType": "1101",
        },  # no such transfer
        "changePersonType": {**staff, "effective": "2014-01-01", "enrollmentId": enrollment, "personType": "1201"},
        "moveToSuccessorUnit": {**staff, "effective": "2014-01-01", "enrollmentId": enrollment, "unitCode": UNIT_B},
        "freeze": {"idNumber": resident_id(seq="399"), "effective": "2014-01-01", "note": "核查"},  # nobody
        "unfreeze": {**staff, "effective": "2014-01-01"},  # not frozen
        "correctBaseInfo": {
            **staff,
            "effective": "2014-01-01",
            "changes": [{"field": "phone", "value": "13800000000"}],
        },  # the same phone: no change
        "correctEnrollment": {
            **staff,
            "effective": "2014-01-01",
            "enrollmentId": enrollment,
            "reason": "x",
            "changes": [{"field": "bogus", "value": "1"}],
            "evidence": ["证明"],
        },
        "mergeIdentity": {**staff, "effective": "2014-01-01", "targetIdNumber": STAFF},  # into itself
        "removeFakeEnrollment": {**staff, "effective": "2014-01-01", "enrollmentId": str(uuid4()),
                                 "evidence": ["公安人口库比对"]},  # no such enrollment
        "recordContribution": {
            **staff,
            "effective": "2001-01-01",
            "insuranceType": "310",
            "region": "350102",
            "unitCode": UNIT_A,
            "base": "6000.00",
            "unitAmount": "480.00",
            "personalAmount": "120.00",
        },  # before the enrollment began
        "registerUnit": {
            "effective": "2000-01-01",
            "unitCode": UNIT_A,
            "name": "甲",
            "unitType": "10",
            "region": "350100",
        },  # already registered
        "changeUnitInfo": {
            "effective": "2014-01-01",
            "unitCode": UNIT_A,
            "changes": [{"field": "bogus", "value": "1"}],
        },
        "interruptUnitContributions": {"effective": "2014-01-01", "unitCode": UNIT_C},  # already interrupted
        "resumeUnitContributions": {"effective": "2014-01-01", "unitCode": UNIT_A},  # not interrupted
        "cancelUnit": {"effective": "2014-01-01", "unitCode": UNIT_D, "suspendStaff": False},  # already cancelled
        "mergeUnit": {"effective": "2014-01-01", "unitCode": UNIT_A, "successorCode": UNIT_A},  # into itself
        "splitUnit": {"effective": "2014-01-01", "unitCode": UNIT_D, "successorCodes": [UNIT_C]},  # harmless
        "openCampaign": {
            "effective": "2026-01-01",
            "campaignId": "matrix",
            "name": "矩阵",
            "region": "350100",
            "exportFrom": "2026-01-01",
            "exportTo": "2026-01-09",
            "correctionFrom": "2026-01-10",
            "correctionTo": "2026-12-01",
            "lockedUntil": "2026-06-01",
        },  # windows out of order
        "confirmUnitData": {"effective": "2026-01-01", "unitCode": UNIT_A, "campaignId": "never-opened"},
        "applyForService": {
            **staff,
            "requestId": str(uuid4()),
            "itemCode": "002036001002",
            "command": "Retire",
            "arguments": [{"field": "effective", "value": "1990-01-01"}],  # before the last change
            "materials": [{"name": "职工基本医疗保险参保登记表", "sha256": "a" * 64, "size": 1000},
                          {"name": "参保人员有效身份证件复印件", "sha256": "b" * 64, "size": 1000}],
        },
        # no such request: an office is told so; nobody else may take these steps at all
        "acceptRequest": {"requestId": str(uuid4())},
        "approveRequest": {"requestId": str(uuid4())},
        "rejectRequest": {"requestId": str(uuid4()), "reason": "材料不全"},
        "completeRequest": {"requestId": str(uuid4())},
        "issueContactLetter": {"requestId": str(uuid4()), "enrollmentId": str(uuid4()), "direction": "11"},
    }


# Retirement and death filed by a unit wait for an office's review (seed 002): only as a request.
UNIT_CHANNEL = {
    "registerPerson",
    "enroll",
    "suspend",
    "resume",
    "terminate",
    "applyForService",
    "correctBaseInfo",
    "correctEnrollment",
    "changeUnitInfo",
    "confirmUnitData",
}
# Any office registers a person, and a person with no enrollment yet belongs to no region (the
# freeze here targets an unregistered number); everything else in this world is Fuzhou's.
XIAMEN_MAY = {"registerPerson", "freeze", "acceptRequest", "approveRequest", "rejectRequest", "completeRequest",
              "issueContactLetter"}


def mutation_allowed(who: str, mutation: str) -> bool:
    return {
        "office_fuzhou": True,
        "office_xiamen": mutation in XIAMEN_MAY,
        "agent_a": FILING_OPEN and mutation in UNIT_CHANNEL,
        "agent_b": FILING_OPEN and mutation == "registerPerson",
        "person_staff": mutation == "correctBaseInfo",
    }.get(who, False)


MATRIX = [(who, m) for who in PRINCIPALS for m in mutations("00000000-0000-0000-0000-000000000000")]


def test_the_matrix_tries_every_mutation_the_api_serves():
    from application.routing import ROUTES

    # as the schema names them
    served = {camel(snake(route.command.__name__)) for route in ROUTES.values() if route.api}
    assert served == set(mutations("00000000-0000-0000-0000-000000000000"))


@pytest.mark.parametrize(("who", "mutation"), MATRIX)
def test_each_mutation_is_authorised_by_role_and_scope(world, who, mutation):
    answer = Client(world["server"], PRINCIPALS[who]).mutate(mutation, mutations(world["enrollment"])[mutation])
    if mutation_allowed(who, mutation):
        assert not answer.get("errors"), answer
        assert answer["data"][mutation]["events"] == [] or mutation == "splitUnit"
    else:
        assert answer["data"] is None and answer["errors"], answer
        assert "Unexpected" not in answer["errors"][0]["message"]


QUERIES = {
    "person": (
        f'{{ person(idNumber: "{STAFF}") {{ name history {{ type }} snapshot {{ status {{ code }} }} }} }}',
        {"office_fuzhou", "agent_a", "person_staff", "auditor"},
    ),
    "unit": (
        f'{{ unit(code: "{UNIT_A}") {{ name roster {{ idNumber }} inServiceCount lockWindows {{ campaignId }} '
        '  contributions(month: "2014-01-01") { idNumber } } }',
        {"office_fuzhou", "agent_a", "auditor", "analyst"},
    ),
    "duplicateSets": (
        "{ duplicateSets(first: 5) { edges { node { idNumber } } } }",
        {"office_fuzhou", "office_xiamen", "auditor", "analyst"},
    ),
    "anomalies": (
        "{ anomalies(first: 5) { edges { node { subjectCode } } } }",
        {"office_fuzhou", "office_xiamen", "auditor", "analyst"},
    ),
    "codeTable": ('{ codeTable(name: "insurance_type") { codes { code } } }', set(PRINCIPALS) - {"anonymous"}),
    "serviceCatalogue": ("{ serviceCatalogue { version items { code } } }", set(PRINCIPALS) - {"anonymous"}),
    # everyone signed in has a 台账, scoped to what they may see (tests/e2e/test_service_requests.py)
    "serviceRequests": ("{ serviceRequests { edges { node { requestId } } } }", set(PRINCIPALS) - {"anonymous"}),
    "serviceOfficeSummary": ("{ serviceOfficeSummary { office received } }",
                             {"office_fuzhou", "office_xiamen", "auditor", "analyst"}),
    "registerFindings": ("{ registerFindings(first: 5) { edges { node { idNumber kind } } } }",
                         {"office_fuzhou", "office_xiamen", "auditor", "analyst"}),
    "cleanupReport": ('{ cleanupReport(annex: "5") { title headers rows } }',
                      {"office_fuzhou", "office_xiamen", "auditor", "analyst"}),
}


@pytest.mark.parametrize(("who", "query"), [(who, q) for who in PRINCIPALS for q in QUERIES])
def test_each_query_is_authorised_by_role_and_scope(world, who, query):
    text, allowed = QUERIES[query]
    answer = Client(world["server"], PRINCIPALS[who]).post(text)
    if who in allowed:
        assert not answer.get("errors"), answer
    else:
        assert answer.get("errors") and not (answer.get("data") or {}).get(query), answer


def test_no_unit_agent_token_reaches_another_units_staff(world):
    other_agent = Client(world["server"], PRINCIPALS["agent_b"])
    assert other_agent.post(QUERIES["person"][0])["errors"]
    assert other_agent.post(QUERIES["unit"][0])["errors"]
    for mutation, fields in mutations(world["enrollment"]).items():
        if mutation != "registerPerson":
            assert other_agent.mutate(mutation, fields)["errors"], mutation


def test_an_analyst_sees_id_numbers_masked(world):
    analyst = Client(world["server"], PRINCIPALS["analyst"])
    for _ in range(100):  # the server's projection runner catches up in the background
        roster = analyst.data(QUERIES["unit"][0])["unit"]["roster"]
        if roster:
            break
        time.sleep(0.1)
    assert [r["idNumber"] for r in roster] == [STAFF[:6] + "********" + STAFF[-4:]]


def test_an_expired_or_forged_token_is_refused(world):
    from tests.e2e.client import token_for

    expired = token_for(PRINCIPALS["auditor"], hours=-1)
    assert (
        Client(world["server"], token=expired).post(QUERIES["codeTable"][0])["errors"][0]["message"]
        == "the token has expired"
    )
    forged = token_for(PRINCIPALS["auditor"])[:-2] + "xx"
    assert (
        Client(world["server"], token=forged).post(QUERIES["codeTable"][0])["errors"][0]["message"]
        == "the token is not valid"
    )
