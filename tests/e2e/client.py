"""A GraphQL client for the e2e tests: real HTTP to the server started by the fixture."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from ledger_api.auth import Principal, issue_token
from tests.e2e.conftest import TOKEN_SECRET


def token_for(principal: Principal, hours: float = 1) -> str:
    return issue_token(TOKEN_SECRET, principal, timedelta(hours=hours))


class Client:
    def __init__(self, base: str, principal: Principal | None = None, token: str | None = None) -> None:
        self.base = base
        self.token = token or (token_for(principal) if principal else None)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(f"{self.base}/graphql", json={"query": query, "variables": variables or {}},
                              headers=headers, timeout=30)
        assert response.status_code in (200, 400), response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.post(query, variables)
        assert not answer.get("errors"), answer["errors"]
        return answer["data"]

    def mutate(self, name: str, fields: dict[str, Any], select: str = "events { type validDate }") -> dict[str, Any]:
        """Run mutation `name` with `fields` (commandId added); the whole answer, errors included."""
        input_type = name[0].upper() + name[1:] + "Input"
        query = (f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ ok replayed "
                 f"errors {{ field label rule message }} {select} }} }}")
        return self.post(query, {"input": {"commandId": str(uuid4()), **fields}})

    def do(self, name: str, fields: dict[str, Any], select: str = "events { type validDate }") -> dict[str, Any]:
        """Run a mutation that must succeed; its result."""
        answer = self.mutate(name, fields, select)
        assert not answer.get("errors"), answer["errors"]
        result = answer["data"][name]
        assert result["ok"], result["errors"]
        return result

    def register_unit(self, code: str, name: str = "单位", unit_type: str = "10", **more: str) -> None:
        self.do("registerUnit", {"effective": "2000-01-01", "unitCode": code, "name": name, "unitType": unit_type,
                                 "region": "350100", **more})

    def register_person(self, id_number: str, name: str, gender: str = "1", birth_date: str = "1985-06-01") -> None:
        self.do("registerPerson", {"effective": "2005-01-01", "idNumber": id_number, "name": name, "gender": gender,
                                   "birthDate": birth_date, "ethnicity": "01"})


def camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
