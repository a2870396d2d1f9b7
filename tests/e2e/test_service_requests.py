"""A unit's retirement filing through 申请-受理-审核-办结, over real HTTP, on a fixed clock:
pending while reviewed, accepted by an office of another county of the same city, rejected by
the insured region's office with a reason the unit agent reads, filed again, approved,
completed — and only then the retirement recorded, with the request as its cause."""

from __future__ import annotations

import time
from typing import Any
from uuid import uuid4

import pytest

from ledger_api.auth import Principal
from tests.e2e.client import Client
from tests.e2e.hall import AGENT, GULOU, RETIREE, hall_server

CANGSHAN = Principal("clerk-cangshan", "office", region="350104")  # another county of Fuzhou
MATERIALS = [{"name": "职工基本医疗保险参保登记表", "sha256": "a" * 64, "size": 120_000},
             {"name": "参保人员有效身份证件复印件", "sha256": "b" * 64, "size": 80_000}]
REQUESTS = """query($stage: String) { serviceRequests(stage: $stage) { edges { node {
  requestId stage stageLabel region idNumber acceptedBy reviewedBy rejection due dueProvisional overdue
  workingDaysUsed } } } }"""


@pytest.fixture(scope="module")
def hall(server_conninfo):
    with hall_server(server_conninfo, "canbao_requests") as base:
        yield base


def file_retirement(base: str, command: str = "Retire") -> str:
    request_id = str(uuid4())
    Client(base, AGENT).do("applyForService", {
        "requestId": request_id, "itemCode": "002036001002", "command": command, "idNumber": RETIREE,
        "arguments": [{"field": "effective", "value": "2026-12-01"}], "materials": MATERIALS})
    return request_id


def listed(base: str, who: Principal, request_id: str, stage: str) -> dict[str, Any]:
    """The request as the 台账 lists it to `who`, once the projection has caught up to `stage`."""
    for _ in range(100):
        edges = Client(base, who).data(REQUESTS)["serviceRequests"]["edges"]
        found = [e["node"] for e in edges if e["node"]["requestId"] == request_id]
        if found and found[0]["stage"] == stage:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"{request_id} never listed at {stage}: {edges}")


def person_types(base: str) -> list[str]:
    data = Client(base, GULOU).data(f'{{ person(idNumber: "{RETIREE}") {{ snapshot(asOf: "2026-12-07") '
                                    "{ personType { code } } } }")
    return [s["personType"]["code"] for s in data["person"]["snapshot"]]


def test_a_retirement_filed_by_a_unit_is_recorded_only_when_an_office_completes_it(hall):
    first = file_retirement(hall)
    pending = listed(hall, AGENT, first, "applied")
    assert pending["due"] == "2026-12-10" and not pending["dueProvisional"]  # 3 working days of the filing
    assert person_types(hall) == ["1101"], "pending: the person is still in service"

    Client(hall, CANGSHAN).do("acceptRequest", {"requestId": first})
    refused = Client(hall, CANGSHAN).mutate("rejectRequest", {"requestId": first, "reason": "缺少退休审批表"})
    assert refused["errors"][0]["message"].startswith("review and completion belong to the office")
    Client(hall, GULOU).do("rejectRequest", {"requestId": first, "reason": "缺少退休审批表"})
    seen_by_unit = listed(hall, AGENT, first, "rejected")
    assert (seen_by_unit["rejection"], seen_by_unit["acceptedBy"], seen_by_unit["reviewedBy"]) == (
        "缺少退休审批表", "350104", "350102")
    assert person_types(hall) == ["1101"], "a rejected request records nothing"

    second = file_retirement(hall)
    for step in ("acceptRequest", "approveRequest"):
        Client(hall, GULOU).do(step, {"requestId": second})
    completed = Client(hall, GULOU).do("completeRequest", {"requestId": second},
                                       select="events { type details }")
    assert "person.retired" in [e["type"] for e in completed["events"]]
    assert person_types(hall) == ["1201"]  # 退休人员

    history = Client(hall, GULOU).data(f'{{ person(idNumber: "{RETIREE}") {{ history {{ type cause }} }} }}')
    [retired] = [e for e in history["person"]["history"] if e["type"] == "person.retired"]
    assert retired["cause"] == second

    detail = Client(hall, AGENT).data(f'{{ serviceRequest(requestId: "{second}") {{ '
                                      "steps { stage office workingDays actor { kind region } } } }")
    steps = detail["serviceRequest"]["steps"]
    assert [(s["stage"], s["office"], s["actor"]["kind"]) for s in steps] == [
        ("applied", None, "unit_agent"), ("accepted", "350102", "office"), ("approved", "350102", "office"),
        ("completed", "350102", "office")]
    assert [s["workingDays"] for s in steps] == [0, 0, 0, 0]  # all on one Monday


def test_a_unit_agent_does_not_see_another_units_requests_nor_an_office_of_another_city(hall):
    request_id = file_retirement(hall, "Die")  # whatever the first test left the person as, a death is fileable
    listed(hall, AGENT, request_id, "applied")
    other_unit = Principal("hr-2", "unit_agent", unit_code="A1110000MB0000000J")
    xiamen = Principal("clerk-xiamen", "office", region="350203")
    for who in (other_unit, xiamen):
        edges = Client(hall, who).data(REQUESTS)["serviceRequests"]["edges"]
        assert request_id not in [e["node"]["requestId"] for e in edges]
        answer = Client(hall, who).post(f'{{ serviceRequest(requestId: "{request_id}") {{ steps {{ stage }} }} }}')
        assert answer["errors"]


def test_the_catalogue_is_served_with_its_time_limits(hall):
    items = Client(hall, AGENT).data("{ serviceCatalogue { version items { code limitLabel stages } } }")
    by_code = {i["code"]: i for i in items["serviceCatalogue"]["items"]}
    assert by_code["002036001002"]["limitLabel"] == "5个工作日"
    assert by_code["002036001003"]["limitLabel"] == "即时办结"
    assert by_code["002036003002"]["stages"] == ["申请", "受理", "审核", "办结"]
