"""`canbao serve` keeps projections running: an error is reported and the runner carries on
from its tracked position."""

from __future__ import annotations

import threading
from dataclasses import replace

from application.service import Ledger
from projections.catalog import BY_NAME, Table
from projections.runner import ProjectionRunner, follow
from tests.support.builders import ctx, register, resident_id


def test_a_failing_runner_is_reported_and_resumes_from_its_tracked_position(store):
    ledger = Ledger(store)
    for seq in ("101", "103", "105"):
        ledger.execute(register(resident_id(seq=seq)), ctx())
    healthy = BY_NAME["enrollments"]
    calls = {"n": 0}

    def flaky(stream):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("a projection bug, once")
        return healthy.tables[0].rows(stream)

    flaky_projection = replace(healthy, tables=(Table("person_view", "person_id", healthy.tables[0].columns, flaky),))
    runner, errors, stop = ProjectionRunner(store.datastore), [], threading.Event()
    thread = threading.Thread(target=follow, args=(runner, [flaky_projection], stop.is_set, errors.append, 0.01))
    thread.start()
    try:
        for _ in range(500):
            if runner.position("enrollments") == runner.head():
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert [str(e) for e in errors] == ["a projection bug, once"]
    with store.datastore.get_connection() as conn:
        assert conn.execute("SELECT count(*) AS n FROM person_view").fetchone()["n"] == 3
