"""An event already stored with a value PostgreSQL refuses (a NUL an older version let in)
is quarantined: the projections keep up, every other stream is served, rebuilds finish,
and `canbao projections status` lists it until an office's correction clears it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain import events as ev
from domain.id_numbers import person_id
from eventlog.store import Appended
from projections.catalog import PROJECTIONS
from projections.quarantine import quarantined
from projections.runner import ProjectionRunner
from tests.support.builders import CLERK, ctx, register, resident_id

POISONED, HEALTHY = resident_id(seq="201"), resident_id(seq="203")


@pytest.fixture
def ledger(store):
    ledger = Ledger(store)
    for number in (POISONED, HEALTHY):
        ledger.execute(register(number), ctx())
    return ledger


@pytest.fixture
def poisoned_ledger(ledger, store):
    poison(ledger, store)
    return ledger


def poison(ledger, store) -> None:
    """A phone with NUL, written as an older version of the ledger would have written it."""
    stream = ledger.person_stream("01", POISONED)
    bad = ev.BaseInfoCorrected(effective=date(2020, 1, 1), changes={"phone": (None, "138\x000000")})
    meta = ev.Meta(command_id=uuid4(), command="CorrectBaseInfo", recorded_at=datetime.now(timezone.utc),
                   actor=CLERK, channel="person_portal")
    store.append([Appended(stream.stream_id, stream.version, stream.last_hash, [bad])], meta)


def served_person_ids(store) -> set:
    with store.datastore.get_connection() as conn:
        return {r["person_id"] for r in conn.execute("SELECT person_id FROM person_view")}


def test_catch_up_quarantines_the_stream_and_serves_its_earlier_rows_and_everyone_else(ledger, store):
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    poison(ledger, store)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    assert all(s.behind == 0 for s in runner.status(PROJECTIONS))
    with store.datastore.get_connection() as conn:
        held = quarantined(conn)
    assert {q.stream_id for q in held} == {person_id("01", POISONED)}
    assert all("NUL" in q.error for q in held)
    # Registered before the poison event: the person's earlier rows are still served.
    assert served_person_ids(store) == {person_id("01", POISONED), person_id("01", HEALTHY)}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_finishes_with_the_stream_quarantined(poisoned_ledger, store, empty_database, workers):
    runner = ProjectionRunner(store.datastore, empty_database, workers=workers)
    runner.rebuild(list(PROJECTIONS), share_from=0)
    with store.datastore.get_connection() as conn:
        assert {q.stream_id for q in quarantined(conn)} == {person_id("01", POISONED)}
    assert served_person_ids(store) == {person_id("01", HEALTHY)}


def test_an_office_correction_clears_the_quarantine(poisoned_ledger, store):
    runner = ProjectionRunner(store.datastore)
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    poisoned_ledger.execute(cmd.CorrectBaseInfo(effective=date(2026, 1, 2), id_number=POISONED,
                                                changes={"phone": "13800000000"}), ctx())
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    with store.datastore.get_connection() as conn:
        assert quarantined(conn) == []
        phone = conn.execute("SELECT phone FROM person_view WHERE person_id = %s",
                             (person_id("01", POISONED),)).fetchone()["phone"]
    assert phone == "13800000000"


def altered_on_disk(ledger, store) -> None:
    """The last stored row of POISONED's stream overwritten with bytes that no longer decode
    (as a disk fault or a hand edit would leave it; `canbao verify` names the row)."""
    stream = ledger.person_stream("01", POISONED)
    with store.datastore.get_connection() as conn:
        conn.execute("UPDATE canbao_events SET state = %s WHERE originator_id = %s AND originator_version = %s",
                     (b"\x02" + bytes(60), stream.stream_id, stream.version))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stream_whose_stored_bytes_no_longer_decode_is_quarantined_and_the_rebuild_finishes(
        ledger, store, empty_database, workers):
    altered_on_disk(ledger, store)
    runner = ProjectionRunner(store.datastore, empty_database, workers=workers)
    runner.rebuild(list(PROJECTIONS), share_from=0)
    with store.datastore.get_connection() as conn:
        held = quarantined(conn)
    assert {q.stream_id for q in held} == {person_id("01", POISONED)}
    assert all("cannot be read" in q.error for q in held)
    assert {q.projection for q in held} == {p.name for p in PROJECTIONS if p.stream_kind == "person"}
    assert served_person_ids(store) == {person_id("01", HEALTHY)}


def test_catch_up_sets_an_unreadable_stream_aside_and_keeps_following(ledger, store):
    runner = ProjectionRunner(store.datastore)
    altered_on_disk(ledger, store)
    ledger.execute(register(resident_id(seq="205")), ctx())
    for projection in PROJECTIONS:
        runner.catch_up(projection)
    assert all(s.behind == 0 for s in runner.status(PROJECTIONS))
    assert served_person_ids(store) == {person_id("01", HEALTHY), person_id("01", resident_id(seq="205"))}
