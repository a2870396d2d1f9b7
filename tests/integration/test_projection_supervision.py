"""`canbao serve` keeps projections running: a stream whose rows cannot be derived is
quarantined while everything else carries on, and a projection that fails outright is
reported without holding the others back."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

from application.service import Ledger
from domain import commands as cmd
from projections.catalog import BY_NAME, Table
from projections.quarantine import quarantined
from projections.runner import ProjectionRunner, follow
from tests.support.builders import ctx, register, resident_id

POISONED = resident_id(seq="103")


def follow_until_caught_up(runner, projections, errors):
    stop = threading.Event()
    thread = threading.Thread(target=follow, args=(runner, projections, stop.is_set, errors.append, 0.01))
    thread.start()
    try:
        for _ in range(500):
            if all(runner.position(p.name) == runner.head() for p in projections):
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join(5)


def test_a_stream_whose_rows_fail_is_quarantined_and_cleared_by_a_later_event(store):
    ledger = Ledger(store)
    for seq in ("101", "103", "105"):
        ledger.execute(register(resident_id(seq=seq)), ctx())
    healthy = BY_NAME["enrollments"]

    def fragile(stream):  # a row function that cannot handle this person's name (a bug, say)
        rows = healthy.tables[0].rows(stream)
        if rows and rows[0][3] == "张三" and rows[0][2] == POISONED:
            raise RuntimeError("cannot derive this person")
        return rows

    projection = replace(healthy, tables=(Table("person_view", "person_id", healthy.tables[0].columns, fragile),))
    runner, errors = ProjectionRunner(store.datastore), []
    follow_until_caught_up(runner, [projection], errors)
    assert errors == [] and runner.position("enrollments") == runner.head()
    with store.datastore.get_connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM person_view").fetchone()["n"] == 2
        [held] = quarantined(conn)
    assert held.projection == "enrollments" and "cannot derive this person" in held.error
    assert [s.quarantined for s in runner.status([projection])] == [1]

    ledger.execute(cmd.CorrectBaseInfo(effective=date(2026, 1, 1), id_number=POISONED,
                                       changes={"name": "张叁"}), ctx())
    follow_until_caught_up(runner, [projection], errors)
    with store.datastore.get_connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM person_view").fetchone()["n"] == 3
        assert quarantined(conn) == []


def test_a_projection_that_fails_outright_is_reported_and_the_others_carry_on(store):
    ledger = Ledger(store)
    ledger.execute(register(resident_id(seq="107")), ctx())
    broken = replace(BY_NAME["units"], name="broken", stream_kind="person", tables=(
        Table("no_such_table", "unit_id", ("unit_id",), lambda stream: []),))
    runner, errors = ProjectionRunner(store.datastore), []
    stop = threading.Event()
    thread = threading.Thread(target=follow, args=(runner, [broken, BY_NAME["enrollments"]], stop.is_set,
                                                   errors.append, 0.01))
    thread.start()
    try:
        for _ in range(500):
            if runner.position("enrollments") == runner.head() and errors:
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert errors and "no_such_table" in str(errors[0])
    assert runner.position("enrollments") == runner.head()
