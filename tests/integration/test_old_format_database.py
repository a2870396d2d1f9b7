"""A database written by main before the compact stored form (issue 20): events stored as
JSON stay as they are, `canbao migrate` upgrades the schema, verification passes, projections
rebuilt by today's code equal the ones the old code built, and new events chain onto old
streams in the compact form. The database is tests/fixtures/old_format/ledger-fffc189.sql.gz
(how it was made: make_fixture.py beside it)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from application.service import Ledger
from canbao.migrations import apply_migrations
from domain import commands as cmd
from domain.events import Actor
from eventlog.codec import COMPACT
from eventlog.store import EventStore
from eventlog.tables import EVENTS_TABLE
from eventlog.verify import verify
from projections.catalog import PROJECTIONS
from projections.runner import ProjectionRunner
from tests.conftest import throwaway_database

DUMP = Path(__file__).parents[1] / "fixtures" / "old_format" / "ledger-fffc189.sql.gz"
READ_MODELS = ("person_view", "current_enrollment", "enrollment_spell", "duplicate_set", "anomaly", "unit_view",
               "lock_window", "contribution_month", "service_request", "fake_removal")


@pytest.fixture
def old_database(server_conninfo: str) -> Iterator[str]:
    with throwaway_database(server_conninfo) as conninfo:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(gzip.decompress(DUMP.read_bytes()).decode("utf-8"))
            conn.execute("SET search_path TO public")
        yield conninfo


def columns(conn: psycopg.Connection, name: str) -> list[str]:
    return [c.name for c in conn.execute(f"SELECT * FROM {name} LIMIT 0").description or ()]


def table(conn: psycopg.Connection, name: str, names: list[str]) -> list[tuple]:
    """The rows of `name` in the columns `names` (those the old main had)."""
    rows = conn.execute(f"SELECT {', '.join(names)} FROM {name}").fetchall()
    if name == "enrollment_spell":
        rows = joined_where_they_meet(rows, names.index("recorded_from"), names.index("recorded_to"))
    return sorted(rows, key=repr)


def joined_where_they_meet(rows: list[tuple], since: int, until: int) -> list[tuple]:
    """A spell row of today also closes where only the person's identity changed (migration
    0020); its pieces joined back where one's system time ends as the next one's begins, as the
    old main kept them."""
    def spell(row: tuple) -> tuple:
        return row[:since] + row[until + 1:]

    out: list[tuple] = []
    for row in sorted(rows, key=lambda r: (repr(spell(r)), r[since])):
        if out and spell(out[-1]) == spell(row) and out[-1][until] == row[since]:
            out[-1] = (*out[-1][:until], row[until], *out[-1][until + 1:])
        else:
            out.append(row)
    return out


def test_a_database_of_the_json_form_is_migrated_verifies_clean_and_rebuilds_to_the_same_read_models(old_database):
    with psycopg.connect(old_database) as conn:
        old_columns = {name: columns(conn, name) for name in READ_MODELS}
        before = {name: table(conn, name, old_columns[name]) for name in READ_MODELS}
        states = [bytes(r[0]) for r in conn.execute(f"SELECT state FROM {EVENTS_TABLE}")]
    assert len(states) > 500 and all(s[:1] == b"{" for s in states), "the fixture holds JSON events only"
    apply_migrations(old_database)
    store = EventStore(old_database)
    try:
        assert verify(store.datastore).clean
        ProjectionRunner(store.datastore, old_database).rebuild(list(PROJECTIONS))
        with psycopg.connect(old_database) as conn:
            after = {name: table(conn, name, old_columns[name]) for name in READ_MODELS}
        assert sum(len(rows) for rows in before.values()) > 500
        for name in READ_MODELS:
            assert after[name] == before[name], f"{name} rebuilt from the old events differs"
    finally:
        store.close()


def test_new_events_chain_onto_a_stream_stored_in_the_old_form(old_database):
    apply_migrations(old_database)
    store = EventStore(old_database)
    try:
        ledger = Ledger(store)
        for projection in PROJECTIONS:  # as `canbao serve` catches up what a migration emptied
            ProjectionRunner(store.datastore).catch_up(projection)
        with psycopg.connect(old_database) as conn:
            [(id_number,)] = conn.execute(
                "SELECT p.id_number FROM person_view p JOIN current_enrollment c USING (person_id) "
                "WHERE c.status = '1' AND c.person_type IN ('1101', '1501') ORDER BY p.id_number LIMIT 1").fetchall()
        person = ledger.person("01", id_number)
        enrollment = person.open_enrollments()[0]
        context = cmd.Context(command_id=uuid4(), now=datetime(2026, 12, 1, 9, tzinfo=timezone.utc),
                              channel="office", actor=Actor(kind="office", id="clerk", region="350100"))
        ledger.execute(cmd.Suspend(effective=date(2026, 11, 30), id_number=id_number,
                                   enrollment_id=enrollment.id, reason="6301"), context)
        stream = ledger.person_stream("01", id_number)
        with psycopg.connect(old_database) as conn:
            forms = [bytes(r[0])[:1] for r in conn.execute(
                f"SELECT state FROM {EVENTS_TABLE} WHERE originator_id = %s ORDER BY originator_version",
                (stream.stream_id,))]
        assert forms[-1] == COMPACT and set(forms[:-1]) == {b"{"}
        assert stream.events[-1].event.effective == date(2026, 11, 30)
        assert verify(store.datastore).clean
    finally:
        store.close()
