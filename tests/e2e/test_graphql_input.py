"""Malformed queries and inputs get clear errors naming the field and rule; nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from domain import commands as cmd
from domain.events import Actor
from eventlog.store import datastore_for
from importer.bulk import BulkImporter
from ledger_api.auth import Principal
from tests.e2e.client import Client
from tests.support.builders import COMMUNITY, EMPLOYER, resident_id

OFFICE = Principal("clerk-9", "office", region="350100")
ID = resident_id(seq="919")
HISTORY = '{ person(idNumber: "%s") { history { type } } }'


@pytest.fixture(scope="module")
def office(server):
    client = Client(server, OFFICE)
    client.register_unit(EMPLOYER, "甲")
    client.register_unit(COMMUNITY, "社区", "90", managementType="08")
    client.register_person(ID, "输入")
    return client


def history_length(office: Client) -> int:
    return len(office.data(HISTORY % ID)["person"]["history"])


def test_a_refused_command_names_field_label_and_rule_and_writes_nothing(office):
    before = history_length(office)
    answer = office.mutate("enroll", {"effective": "2012-03-01", "idNumber": ID, "insuranceType": "999",
                                      "region": "350102", "poolingRegion": "99x", "unitCode": EMPLOYER,
                                      "personType": "1101"})
    result = answer["data"]["enroll"]
    assert not result["ok"] and result["events"] == []
    assert {(e["field"], e["label"], e["rule"]) for e in result["errors"]} >= {
        ("insuranceType", "险种类型", "code_table.insurance_type"), ("poolingRegion", "统筹区编码", "region.format")}
    assert history_length(office) == before


def test_a_value_of_the_wrong_type_is_a_graphql_error_not_a_crash(office):
    answer = office.mutate("die", {"effective": "2024-02-30", "idNumber": ID})
    assert answer["data"] is None and "Date" in answer["errors"][0]["message"]


def test_a_retried_command_id_records_once_and_answers_the_first_result(office):
    fields = {"commandId": str(uuid4()), "effective": "2012-03-01", "idNumber": ID, "insuranceType": "390",
              "region": "350102", "unitCode": COMMUNITY, "personType": "1501"}
    query = ("mutation($input: EnrollInput!) { enroll(input: $input) { ok replayed errors { rule } "
             "events { type recordedAt } } }")
    first = office.post(query, {"input": fields})["data"]["enroll"]
    again = office.post(query, {"input": fields})["data"]["enroll"]
    assert first["ok"] and not first["replayed"] and again["replayed"] and again["events"] == first["events"]


def test_an_invalid_id_number_in_a_query_names_the_field_and_rule(office):
    answer = office.post('{ person(idNumber: "110101199003078035") { name } }')
    assert "证件号码(idNumber) id_number.check_character" in answer["errors"][0]["message"]


def test_syntax_errors_and_unknown_fields_are_reported_without_internals(office):
    for text in ("{ person(idNumber: ", "{ nosuchfield }", "{ person { name } }"):
        answer = office.post(text)
        assert answer["errors"] and "Traceback" not in str(answer) and "psycopg" not in str(answer)


def test_a_query_with_too_many_aliases_or_tokens_is_refused_before_it_runs(office):
    aliased = "{ " + " ".join(f'a{n}: codeTable(name: "gender") {{ label }}' for n in range(30)) + " }"
    assert "aliases" in office.post(aliased)["errors"][0]["message"]
    huge = "{ " + " ".join("ledger { name version }" for _ in range(400)) + " }"
    assert "token" in office.post(huge)["errors"][0]["message"].lower()


def test_a_1000_person_roster_costs_a_handful_of_sql_statements(server, server_database, office):
    importer = BulkImporter(datastore_for(server_database), Actor(kind="import_job", id="roster-test"))
    rows = [
        cmd.ImportLegacyEnrollment(
            effective=date(2015, 1, 1),
            id_number=resident_id(seq=f"{n % 1000:03d}", born=date(1960 + n // 1000, 1, 1)),
            name="员工" + chr(0x4E00 + n),
            gender="1" if n % 2 else "2",
            birth_date=date(1960 + n // 1000, 1, 1),
            ethnicity="01",
            insurance_type="310",
            region="350102",
            pooling_region="350100",
            unit_code=EMPLOYER,
            person_type="1201" if n % 5 == 0 else "1101",
            enrollment_status="1",
            contribution_status="1",
            start=date(2015, 1, 1),
            region_name="鼓楼区",
            reason="11",
            source="roster.csv",
            row=n,
        )
        for n in range(1_000)
    ]
    summary = importer.run(rows)
    assert summary.rows_written == 1_000, summary.refused[:3]
    query = (
        f'{{ unit(code: "{EMPLOYER}") {{ roster {{ idNumber name personType {{ label }} status {{ label }} }} '
        f"inServiceCount retiredCount lockWindows {{ campaignId }} }} }}"
    )
    for _ in range(300):  # the server's projection runner catches up in the background
        answer = office.post(query)
        if len((answer["data"]["unit"] or {"roster": ()})["roster"]) >= 1_000:  # None until projected
            break
        __import__("time").sleep(0.1)
    unit = answer["data"]["unit"]
    assert len(unit["roster"]) == 1_000 and unit["retiredCount"] == 200 and unit["inServiceCount"] == 800
    assert answer["extensions"]["sqlStatements"] <= 4


def test_the_exported_schema_file_is_the_schema_the_code_serves():
    from ledger_api.schema import build_schema

    schema = build_schema()

    exported = Path(__file__).resolve().parents[2] / "graphql" / "schema.graphql"
    assert exported.read_text(encoding="utf-8").strip() == str(schema).strip(), (
        "run: canbao schema > graphql/schema.graphql"
    )
