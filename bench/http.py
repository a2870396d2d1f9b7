"""Commands and queries over real HTTP, each beside its same-run floor: the application
service called directly and eventsourcing's plain insert for commands, `{ __typename }`
for queries."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from itertools import cycle
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from application.service import Ledger
from bench.measure import interleaved, median, p99, throughput
from domain import commands as cmd
from domain.events import Actor, Meta
from domain.id_numbers import check_character
from eventlog.codec import encode
from eventlog.store import EventStore

Figures = dict[str, Any]
CLERK = Actor(kind="office", id="bench")


def new_id(n: int) -> str:
    """A resident ID for the n-th person the bench registers: born 1900-1939, which the generated
    population (born 1940 on) never is, so no command of the bench meets a person already there."""
    first17 = f"3501{(n // 1000) % 100:02d}19{n % 40:02d}0101{n % 1000:03d}"
    return first17 + check_character(first17)


@contextmanager
def served(conninfo: str, secret: str) -> Iterator[str]:
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "DATABASE_URL": conninfo, "CANBAO_TOKEN_SECRET": secret}
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        # As an office would run it: one server process per core (canbao serve --workers).
        workers = str(os.cpu_count() or 1)
        server = subprocess.Popen([sys.executable, "-m", "canbao", "serve", "--port", str(port), "--no-graphiql",
                                   "--workers", workers],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


class LeanClient:
    """A keep-alive HTTP/1.1 GraphQL client from the standard library. httpx spends about 1.7 ms of
    this process's CPU per request, on the same 2 cores as the server: the figures would charge it
    to the ledger (a command's median 4.0 ms with httpx, 2.3 ms with this, same server)."""

    def __init__(self, base: str, token: str) -> None:
        address = urlsplit(base)
        self.connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}})
        try:
            return self._post(body)
        except (http.client.HTTPException, ConnectionError):
            # The server closes a connection idle past its keep-alive (uvicorn: 5 s), as the 15 extra
            # clients are between throughput rounds: once more on a new connection (a mutation
            # carries its command id, so sending it twice records it once).
            self.connection.close()
            return self._post(body)

    def _post(self, body: str) -> dict[str, Any]:
        self.connection.request("POST", "/graphql", body, self.headers)
        answer: dict[str, Any] = json.loads(self.connection.getresponse().read())
        return answer

    def close(self) -> None:
        self.connection.close()


REGISTER = ("mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { ok errors { rule } } }")


def register_input(n: int) -> dict[str, Any]:
    return {"commandId": str(uuid4()), "effective": "2020-01-01", "idNumber": new_id(n), "name": "测试",
            "gender": "1" if int(new_id(n)[16]) % 2 else "2", "birthDate": new_id(n)[6:10] + "-01-01",
            "ethnicity": "01"}


def measure_commands(store: EventStore, base: str, token: str, samples: int) -> Figures:
    counter = iter(range(10_000_000, 99_999_999))
    clients = [LeanClient(base, token) for _ in range(16)]

    def over_http(client: int = 0) -> None:
        answer = clients[client].graphql(REGISTER, {"input": register_input(next(counter))})
        assert answer["data"]["registerPerson"]["ok"], answer

    ledger = Ledger(store)

    def direct() -> str:
        fields = register_input(next(counter))
        command = cmd.RegisterPerson(effective=date(2020, 1, 1), id_number=fields["idNumber"], name="测试",
                                     gender=fields["gender"], birth_date=date.fromisoformat(fields["birthDate"]),
                                     ethnicity="01")
        ledger.execute(command, cmd.Context(command_id=uuid4(), actor=CLERK, now=datetime.now(timezone.utc)))
        return command.id_number

    event = ledger.person_stream("01", direct()).events[0]  # the plain insert writes this event's bytes
    topic, state = encode(event.event, Meta(command_id=uuid4(), command="RegisterPerson",
                                            recorded_at=datetime.now(timezone.utc), actor=CLERK, channel="office"))
    # The library's own insert, not the store's (eventlog/store.py writes the same rows another way).
    timed = interleaved({
        "http": over_http, "service": direct,
        "plain": lambda: PostgresApplicationRecorder.insert_events(store.recorder,
                                                                   [StoredEvent(uuid4(), 1, topic, state)])},
        samples)
    http, service, plain = timed["http"], timed["service"], timed["plain"]
    # Each client count three times, alternating, and the median of each: the ratio of 16 clients'
    # rate to one client's then compares the same machine.
    rounds = [{n: throughput(over_http, n, 3.0) for n in (1, 4, 16)} for _ in range(3)]
    rates = {f"clients_{n}": median([r[n] for r in rounds]) for n in (1, 4, 16)}
    for client in clients:
        client.close()
    return {"server_processes": os.cpu_count() or 1, "http_median_ms": median(http), "http_p99_ms": p99(http),
            "service_median_ms": median(service), "plain_save_median_ms": median(plain),
            "ratio_to_service": median(http) / median(service), "ratio_to_plain_save": median(http) / median(plain),
            **{f"{k}_per_s": v for k, v in rates.items()}}


def measure_pages(store: EventStore, base: str, token: str, samples: int) -> Figures:
    """The browser pages (issue 22), each beside the GraphQL query it renders, over HTTP."""
    from ledger_api.web import PERSON, REQUESTS, TOKEN, WORKLISTS

    with store.datastore.get_connection() as conn:
        ids = [r["id_number"] for r in conn.execute(
            "SELECT id_number FROM person_view ORDER BY random() LIMIT %s", (samples,))]
    picks = cycle(ids)  # as many as the cases ask for, whatever --samples is
    page = httpx.Client(base_url=base, cookies={TOKEN: token}, timeout=60)
    api = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60)

    def get(url: str) -> None:
        answer = page.get(url)
        assert answer.status_code == 200 and "退出" in answer.text, answer.text[:300]

    def ask(query: str, variables: dict | None = None) -> None:
        answer = api.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert not answer.get("errors"), answer["errors"]

    def ask_all(*queries: str) -> None:
        for query in queries:
            ask(query)

    figures: Figures = {}
    for name, show, query in (
        ("person_page", lambda: get(f"/ui/person?id={next(picks)}"),
         lambda: ask(PERSON, {"id": next(picks), "asOf": "2019-12-31", "knownAt": None})),
        ("console_page", lambda: get("/ui/"), lambda: ask_all(REQUESTS, WORKLISTS)),
    ):
        timed = interleaved({"shown": show, "asked": query}, samples)
        shown, asked = timed["shown"], timed["asked"]
        figures[f"{name}_median_ms"], figures[f"{name}_p99_ms"] = median(shown), p99(shown)
        figures[f"{name}_query_median_ms"] = median(asked)
        figures[f"{name}_ratio"] = median(shown) / median(asked)
    page.close()
    api.close()
    return figures


def measure_queries(store: EventStore, base: str, token: str, samples: int) -> Figures:
    with store.datastore.get_connection() as conn:
        ids = [r["id_number"] for r in conn.execute(
            "SELECT id_number FROM person_view ORDER BY random() LIMIT %s", (samples,))]
        unit = conn.execute("SELECT unit_code, count(*) AS n FROM current_enrollment WHERE insurance_type = '310' "
                            "AND unit_code NOT LIKE 'F%%' GROUP BY unit_code ORDER BY abs(count(*) - 1000) "
                            "LIMIT 1").fetchone()
    client = LeanClient(base, token)
    picks = cycle(ids)  # as many as the cases ask for, whatever --samples is

    def ask(query: str, variables: dict | None = None) -> None:
        answer = client.graphql(query, variables)
        assert not answer.get("errors"), answer["errors"]

    cases: dict[str, Any] = {
        "floor": lambda: ask("{ __typename }"),
        "history": lambda: ask("query($id: String!) { person(idNumber: $id) { history { type validDate recordedAt "
                               "actor { id } reason { label } evidence } } }", {"id": next(picks)}),
        "snapshot": lambda: ask("query($id: String!) { person(idNumber: $id) { snapshot(asOf: \"2019-12-31\") { "
                                "insuranceType { label } region status { label } validFrom validTo } } }",
                                {"id": next(picks)}),
        "roster": lambda: ask("query($u: String!) { unit(code: $u) { roster { idNumber name personType { label } } "
                              "inServiceCount retiredCount } }", {"u": unit["unit_code"] if unit else ""}),
        "duplicate_page": lambda: ask("{ duplicateSets(first: 50) { edges { node { idNumber kind action } } } }"),
    }
    timed = interleaved(cases, samples)  # each beside the floor measured in the same minutes
    floor = timed.pop("floor")
    figures: Figures = {"samples": len(floor), "floor_median_ms": median(floor), "floor_p99_ms": p99(floor),
                        "roster_size": unit["n"] if unit else 0}
    for name, times in timed.items():
        figures[f"{name}_median_ms"], figures[f"{name}_p99_ms"] = median(times), p99(times)
        figures[f"{name}_ratio"] = median(times) / median(floor)
    client.close()
    return figures


