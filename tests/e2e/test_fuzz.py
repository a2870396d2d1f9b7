"""Generated queries and mutations, for every role, over real HTTP (hypothesis-graphql): never a
500, never "Unexpected error", and a refused command writes nothing.

Bounded for CI: a few dozen documents per role. Run more with FUZZ_EXAMPLES=1000.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone

import graphql
import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from ledger_api.auth import Principal
from ledger_api.schema import build_schema
from tests.conftest import throwaway_database
from tests.e2e.client import Client, token_for
from tests.e2e.conftest import serving
from tests.support.builders import EMPLOYER, resident_id

STAFF = resident_id(seq="911")
ROLES = {
    "office": Principal("clerk-f", "office", region="350100"),
    "unit_agent": Principal("agent-f", "unit_agent", unit_code=EMPLOYER),
    "person": Principal("self-f", "person", id_number=STAFF),
    "auditor": Principal("audit-f", "auditor"),
    "analyst": Principal("stats-f", "analyst"),
}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


def string_node(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.StringValueNode]:
    return values.map(lambda text: graphql.StringValueNode(value=text))


SCALARS = {
    "Date": string_node(st.one_of(st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(date.isoformat),
                                  st.sampled_from(["2019-12-31", "9999-12-31", "junk", ""]))),
    "DateTime": string_node(st.one_of(
        st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc)).map(
            datetime.isoformat),
        st.sampled_from(["2020-06-30T00:00:00", "nonsense"]))),
    "UUID": string_node(st.one_of(st.uuids().map(str), st.just("not-a-uuid"))),
    "Decimal": string_node(st.sampled_from(["0", "6000.00", "-1", "1e400", "NaN", "12345678901234.567"])),
    "JSON": string_node(st.just("{}")),
}


@pytest.fixture(scope="module")
def fuzzed(server_conninfo):
    with throwaway_database(server_conninfo, "canbao_fuzz") as database, serving(
            database, "--clock", "2026-12-10T10:00+08:00") as base:
        office = Client(base, ROLES["office"])
        office.do("registerUnit", {"effective": "2000-01-01", "unitCode": EMPLOYER, "name": "甲", "unitType": "10",
                                   "region": "350100"})
        office.do("registerPerson", {"effective": "2005-01-01", "idNumber": STAFF, "name": "职工", "gender": "1",
                                     "birthDate": "1985-06-01", "ethnicity": "01"})
        office.do("enroll", {"effective": "2012-03-01", "idNumber": STAFF, "insuranceType": "310",
                             "region": "350102", "unitCode": EMPLOYER, "personType": "1101"})
        yield base, database


def events_in(database: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT count(*) FROM canbao_events").fetchone()
        return int(row[0]) if row else 0


def refused(answer: dict) -> bool:
    text = json.dumps(answer.get("data"))
    return bool(answer.get("errors")) or '"ok": false' in text


@pytest.mark.parametrize("role", sorted(ROLES))
def test_generated_documents_never_break_the_api(fuzzed, role):
    base, database = fuzzed
    token = token_for(ROLES[role])
    strategy = from_schema(build_schema()._schema, custom_scalars=SCALARS)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document=strategy)
    def check(document: str) -> None:
        before = events_in(database)
        response = httpx.post(f"{base}/graphql", json={"query": document}, timeout=30,
                              headers={"authorization": f"Bearer {token}"})
        assert response.status_code != 500, (document, response.text)
        assert response.status_code in (200, 400, 413), (document, response.status_code, response.text)
        answer = response.json()
        assert "Unexpected error" not in json.dumps(answer), (document, answer)
        if document.lstrip().startswith("mutation") and refused(answer):
            assert events_in(database) == before, (document, answer)

    check()
