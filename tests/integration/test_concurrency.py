"""Races between writers: the loser is retried, sees the winner's events, and is decided again.

`PausingLedger` is the real ledger with one pause between deciding and appending on its
first attempt, so the race these tests describe happens every time, not by luck.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain.errors import DomainError
from domain.events import Actor
from eventlog.store import EventStore
from tests.support.builders import EMPLOYER, ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id()
IN_CAMPAIGN = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


class PausingLedger(Ledger):
    def __init__(self, store: EventStore, decided: threading.Event, go: threading.Event) -> None:
        super().__init__(store)
        self.decided, self.go, self.first = decided, go, True

    def _decide(self, command, *loaded_state_and_context):
        plan = super()._decide(command, *loaded_state_and_context)
        if self.first:
            self.first = False
            self.decided.set()
            assert self.go.wait(10)
        return plan


def run(fn, results: list, key: str):
    try:
        results.append((key, fn()))
    except DomainError as refused:
        results.append((key, refused))


@pytest.fixture
def second_store(empty_database, store):
    other = EventStore(empty_database)
    yield other
    other.close()


def test_two_offices_enrolling_the_same_person_in_one_scheme_at_once_record_exactly_one(ledger, second_store):
    ledger.execute(register_unit(), ctx())
    ledger.execute(register(ID), ctx())
    decided = [threading.Event(), threading.Event()]
    go = threading.Event()
    writers = [PausingLedger(ledger.store, decided[0], go), PausingLedger(second_store, decided[1], go)]
    results: list = []
    threads = [
        threading.Thread(
            target=run, args=(lambda w=w, r=r: w.execute(enroll_employee(ID, region=r), ctx()), results, r)
        )
        for w, r in zip(writers, ("350102", "350103"), strict=True)
    ]
    for t in threads:
        t.start()
    assert all(d.wait(10) for d in decided)  # both decided against the same version
    go.set()
    for t in threads:
        t.join(20)
    outcomes = dict(results)
    refused = [r for r in outcomes.values() if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].errors[0].rule == "enrollment.duplicate_within_scheme"
    assert [e.insurance_type for e in ledger.person("01", ID).enrollments.values()] == ["310"]


def test_a_unit_channel_correction_racing_a_confirmation_is_refused_once_the_confirmation_lands(ledger, second_store):
    ledger.execute(register_unit(), ctx())
    ledger.execute(register(ID), ctx())
    ledger.execute(enroll_employee(ID), ctx())
    ledger.execute(
        cmd.OpenCampaign(
            effective=date(2026, 6, 1),
            campaign_id="2026核对",
            name="核对",
            region="350100",
            export_from=date(2026, 6, 1),
            export_to=date(2026, 6, 9),
            correction_from=date(2026, 6, 10),
            correction_to=date(2026, 11, 30),
            locked_until=date(2026, 12, 31),
        ),
        ctx(),
    )
    decided, go = threading.Event(), threading.Event()
    corrector = PausingLedger(second_store, decided, go)
    agent = ctx(now=IN_CAMPAIGN, channel="unit_portal", actor=Actor(kind="unit_agent", id="a", unit_code=EMPLOYER))
    results: list = []
    correction = threading.Thread(
        target=run,
        args=(
            lambda: corrector.execute(
                cmd.CorrectBaseInfo(effective=date(2026, 11, 20), id_number=ID, changes={"phone": "13900000000"}), agent
            ),
            results,
            "correction",
        ),
    )
    correction.start()
    assert decided.wait(10)  # the correction was decided before the unit confirmed...
    ledger.execute(
        cmd.ConfirmUnitData(effective=date(2026, 11, 20), unit_code=EMPLOYER, campaign_id="2026核对"),
        ctx(now=IN_CAMPAIGN),
    )
    go.set()  # ...and tries to land after it
    correction.join(20)
    [(_, outcome)] = results
    assert isinstance(outcome, DomainError) and outcome.errors[0].rule == "campaign.confirmed_lock"
    assert ledger.person("01", ID).phone is None


class StatementsSent:
    """Counts what one connection of the store is asked to send, around the real connection."""

    def __init__(self, conn) -> None:
        self.conn, self.sent = conn, []

    def execute(self, query, *args, **kwargs):
        self.sent.append(str(query))
        return self.conn.execute(query, *args, **kwargs)

    def __getattr__(self, name):
        if name in ("cursor", "pipeline", "transaction"):
            self.sent.append(name)
        return getattr(self.conn, name)


def test_an_append_holds_the_event_tables_lock_for_one_statement_only(ledger, monkeypatch):
    # Every writer waits for the event table's EXCLUSIVE lock (commit order = notification order).
    # Taken by one statement of several, it stayed held across the client's next send: a thread
    # waiting for its interpreter lock then held up every other writer (16 clients queued 8 deep).
    from contextlib import contextmanager

    seen: list[StatementsSent] = []
    original = ledger.store.datastore.get_connection

    @contextmanager
    def watched():
        with original() as conn:
            seen.append(StatementsSent(conn))
            yield seen[-1]

    ledger.execute(register_unit(), ctx())
    monkeypatch.setattr(ledger.store.datastore, "get_connection", watched)
    ledger.execute(register(ID), ctx())
    monkeypatch.undo()
    appends = [s.sent for s in seen if any("canbao_append" in q for q in s.sent)]
    assert len(appends) == 1 and len(appends[0]) == 1, appends
    with ledger.store.datastore.get_connection() as conn:  # and it recorded the command with its events
        assert conn.execute("SELECT count(*) AS n FROM command_log").fetchone()["n"] == 2
