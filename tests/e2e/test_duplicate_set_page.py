"""A page of duplicate sets answers every field as the rule states it — and the current page and
the page as of today (read another way: from the bitemporal spells) answer alike, for a role that
sees ID numbers and for one that sees them masked. The server runs on a fixed clock: "today" is
Beijing's 7 December 2026 whenever the test runs (in UTC still the 6th)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from ledger_api.auth import Principal
from tests.conftest import throwaway_database
from tests.e2e.client import Client
from tests.e2e.conftest import serving
from tests.support.builders import COMMUNITY, EMPLOYER_2, resident_id

ID = resident_id(region="350102", born=date(1980, 3, 1), seq="217")
OFFICE = Principal("clerk-province", "office", region="350000")
ANALYST = Principal("analyst-1", "analyst", region="350000")
FIELDS = """kind kindLabel idNumber name firstEnrollmentId secondEnrollmentId firstRegion secondRegion
  firstInsuranceType { code label } secondInsuranceType { code label } overlapFrom overlapDays keepEnrollmentId
  cleanEnrollmentId confirmingRegion action"""
CURRENT = "{ duplicateSets(first: 5) { edges { node { %s } } } }" % FIELDS
CLOCK, TODAY_IN_BEIJING = "2026-12-07T01:30+08:00", date(2026, 12, 7)
TODAY = "query($day: Date!) { duplicateSets(first: 5, asOf: $day) { edges { node { %s } } } }" % FIELDS
KNOWN_AT = ("query($day: Date!, $known: DateTime!) { duplicateSets(first: 5, asOf: $day, knownAt: $known) "
            "{ edges { node { %s } } } }" % FIELDS)


@pytest.fixture(scope="module")
def server_on_a_fixed_clock(server_conninfo):
    with throwaway_database(server_conninfo, "canbao_sets") as database, serving(database, "--clock", CLOCK) as base:
        yield base


@pytest.fixture(scope="module")
def enrolled_twice(server_on_a_fixed_clock):
    """A Gulou resident since 2015 who took a job in Xiamen in 2016: a cross-scheme set of years."""
    server = server_on_a_fixed_clock
    office = Client(server, OFFICE)
    office.do("registerUnit", {"effective": "2000-01-01", "unitCode": COMMUNITY, "name": "鼓楼社区", "unitType": "90",
                               "managementType": "08", "region": "350100"})
    office.do("registerUnit", {"effective": "2000-01-01", "unitCode": EMPLOYER_2, "name": "厦门公司",
                               "unitType": "10", "region": "350200"})
    office.do("registerPerson", {"effective": "2005-01-01", "idNumber": ID, "name": "阿依·𠀋", "gender": "1",
                                 "birthDate": "1980-03-01", "ethnicity": "01"})
    resident = office.do("enroll", {"effective": "2015-01-01", "idNumber": ID, "insuranceType": "390",
                                    "region": "350102", "unitCode": COMMUNITY, "personType": "1501"},
                         select="events { details }")["events"][0]["details"]["enrollment_id"]
    employee = office.do("enroll", {"effective": "2016-01-01", "idNumber": ID, "insuranceType": "310",
                                    "region": "350203", "unitCode": EMPLOYER_2, "personType": "1101"},
                         select="events { details }")["events"][0]["details"]["enrollment_id"]
    for _ in range(100):  # the server's projections catch up in the background
        if office.data(CURRENT)["duplicateSets"]["edges"]:
            break
        time.sleep(0.1)
    return server, resident, employee


def test_the_current_page_states_the_cross_scheme_rule_for_the_set(enrolled_twice):
    server, resident, employee = enrolled_twice
    [edge] = Client(server, OFFICE).data(CURRENT)["duplicateSets"]["edges"]
    node = edge["node"]
    assert (node["kind"], node["idNumber"], node["name"]) == ("cross_scheme", ID, "阿依·𠀋")
    assert node["kindLabel"] == "跨制度重复参保（职工医保＋居民医保）"
    assert (node["keepEnrollmentId"], node["cleanEnrollmentId"]) == (employee, resident)
    assert {node["firstEnrollmentId"], node["secondEnrollmentId"]} == {employee, resident}
    assert node["overlapFrom"] == "2016-01-01"
    assert node["overlapDays"] == (TODAY_IN_BEIJING - date(2016, 1, 1)).days
    assert node["confirmingRegion"] == "350102" and "原则上清理居民医保" in node["action"]
    assert {node["firstInsuranceType"]["code"], node["secondInsuranceType"]["code"]} == {"310", "390"}


@pytest.mark.parametrize("who", [OFFICE, ANALYST], ids=["office", "analyst"])
def test_the_current_page_and_the_page_as_of_today_answer_alike(enrolled_twice, who):
    server, _, _ = enrolled_twice
    client = Client(server, who)
    assert client.data(CURRENT) == client.data(TODAY, {"day": TODAY_IN_BEIJING.isoformat()})
    if who is ANALYST:
        [edge] = client.data(CURRENT)["duplicateSets"]["edges"]
        assert edge["node"]["idNumber"] != ID and edge["node"]["idNumber"].startswith(ID[:6])


def test_a_page_as_known_at_the_fixed_clocks_instant_leaves_out_what_was_recorded_after_it(enrolled_twice):
    # On a fixed clock each command is recorded a tick after the one before (system time never goes
    # back), so the setup's events lie just after the clock's instant: asked as known then, there was
    # no set yet; asked with no system time, the page is the ledger as it stands.
    server, _, _ = enrolled_twice
    client = Client(server, OFFICE)
    day = TODAY_IN_BEIJING.isoformat()
    assert client.data(KNOWN_AT, {"day": day, "known": CLOCK}) == {"duplicateSets": {"edges": []}}
    assert client.data(KNOWN_AT, {"day": day, "known": "2026-12-07T02:00+08:00"}) == client.data(TODAY, {"day": day})
