"""An untouched ledger verifies clean; every kind of tampering is detected and named."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from application.service import Ledger
from domain import commands as cmd
from domain.events import Actor, Meta, PersonRegistered
from domain.id_numbers import person_id
from eventlog.chain import event_hash
from eventlog.checkpoints import Digest, record_checkpoint
from eventlog.codec import encode
from eventlog.verify import verify
from tests.support.builders import NOW, ctx, enroll_employee, register, register_unit, resident_id

ID = resident_id(seq="301")
PID = person_id("01", ID)


@pytest.fixture
def ledger(store) -> Ledger:
    ledger = Ledger(store)
    ledger.execute(register_unit(), ctx())
    for seq in ("301", "303", "305"):
        ledger.execute(register(resident_id(seq=seq)), ctx())
        ledger.execute(enroll_employee(resident_id(seq=seq)), ctx())
    eid = next(iter(ledger.person("01", ID).enrollments))
    ledger.execute(cmd.Suspend(effective=date(2015, 1, 1), id_number=ID, enrollment_id=eid, reason="6301"), ctx())
    return ledger


def sql(ledger: Ledger, statement: str, *params) -> None:
    with ledger.store.datastore.get_connection() as conn:
        conn.execute(statement, params)


def problems(ledger: Ledger, since: Digest | None = None) -> list[str]:
    return [str(f) for f in verify(ledger.store.datastore, since).findings]


def test_an_untouched_ledger_verifies_clean(ledger):
    report = verify(ledger.store.datastore)
    assert report.clean and report.events == 11


def rewrite_state(ledger: Ledger, version: int, old: bytes, new: bytes) -> None:
    with ledger.store.datastore.get_connection() as conn:
        state = bytes(conn.execute("SELECT state FROM canbao_events WHERE originator_id = %s AND "
                                   "originator_version = %s", (PID, version)).fetchone()["state"])
        assert old in state
        conn.execute("UPDATE canbao_events SET state = %s WHERE originator_id = %s AND originator_version = %s",
                     (state.replace(old, new, 1), PID, version))


def test_one_changed_byte_is_found_and_named(ledger):
    rewrite_state(ledger, 2, b"310", b"311")
    assert problems(ledger) == [f"stream {PID} version 2: does not match the hash recorded by version 3: "
                                "its content, position or presence changed"]


def test_a_change_to_a_streams_last_event_is_found_by_the_checkpoint(ledger):
    record_checkpoint(ledger.store.datastore)
    rewrite_state(ledger, 3, b"6301", b"6399")
    [finding] = problems(ledger)
    assert "no longer hashes as recorded" in finding


def test_a_deleted_row_is_found(ledger):
    sql(ledger, "DELETE FROM canbao_events WHERE originator_id = %s AND originator_version = 2", PID)
    found = problems(ledger)
    assert any(f"stream {PID} version 2: is missing" in f for f in found)


def test_two_swapped_rows_are_found(ledger):
    sql(ledger, "UPDATE canbao_events SET originator_version = -originator_version WHERE originator_id = %s "
                "AND originator_version IN (1, 2)", PID)
    sql(ledger, "UPDATE canbao_events SET originator_version = CASE originator_version WHEN -1 THEN 2 ELSE 1 END "
                "WHERE originator_id = %s AND originator_version < 0", PID)
    found = problems(ledger)
    assert any(f"stream {PID} version 1" in f for f in found) and any("version 2" in f for f in found)


def test_a_forged_event_inserted_in_the_middle_is_found(ledger):
    """The forger knows the algorithm and chains the forged event correctly to version 1."""
    first = ledger.store.load(PID).events[0]
    with ledger.store.datastore.get_connection() as conn:
        row = conn.execute("SELECT topic, state FROM canbao_events WHERE originator_id = %s AND "
                           "originator_version = 1", (PID,)).fetchone()
        conn.execute("UPDATE canbao_events SET originator_version = originator_version + 100 "
                     "WHERE originator_id = %s AND originator_version >= 2", (PID,))
        conn.execute("UPDATE canbao_events SET originator_version = originator_version - 99 "
                     "WHERE originator_id = %s AND originator_version >= 100", (PID,))
    forged_event = PersonRegistered(**{**first.event.model_dump(), "name": "冒名"})
    meta = Meta(command_id=uuid4(), command="RegisterPerson", recorded_at=NOW, actor=Actor(kind="office", id="x"),
                channel="office", prev_hash=event_hash(PID, 1, row["topic"], bytes(row["state"])))
    topic, state = encode(forged_event, meta)
    sql(ledger, "INSERT INTO canbao_events (originator_id, originator_version, topic, state) VALUES (%s, 2, %s, %s)",
        PID, topic, state)
    found = problems(ledger)
    assert found and all(str(PID) in f for f in found)
    assert any("version 2: does not match the hash recorded by version 3" in f for f in found)


def test_a_digest_taken_before_tampering_fails_afterwards_naming_the_change(ledger):
    digest = record_checkpoint(ledger.store.datastore)
    assert problems(ledger, Digest.parse(str(digest))) == []
    sql(ledger, "DELETE FROM audit_checkpoint")  # the tamperer removes the ledger's own checkpoints too
    rewrite_state(ledger, 3, b"6301", b"6399")
    [finding] = problems(ledger, digest)
    assert f"up to notification {digest.notification_id} no longer hashes as recorded" in finding


def test_a_digest_reads_back_and_rejects_garbage():
    digest = Digest(42, 40, "a" * 64)
    assert Digest.parse(str(digest)) == digest
    with pytest.raises(ValueError):
        Digest.parse("canbao-digest-v1:x")


def test_checkpoints_are_recorded_once_enough_events_have_accumulated(ledger):
    from eventlog.checkpoints import checkpoint_if_due

    assert checkpoint_if_due(ledger.store.datastore, every=100) is None
    recorded = checkpoint_if_due(ledger.store.datastore, every=5)
    assert recorded is not None and recorded.event_count == 11
    assert checkpoint_if_due(ledger.store.datastore, every=5) is None
