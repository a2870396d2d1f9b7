"""The bench's throwaway database: prepared the way `canbao bench` prepares it."""

import tempfile
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import psycopg

from bench.run import timed_copy, without_autovacuum
from canbao.migrations import apply_migrations
from domain import commands as cmd
from domain.events import Actor
from eventlog import scans
from eventlog.bulk import EVENT_COLUMNS, LOG_COLUMNS, copy_in_place, dump_binary, empty_replicas
from tests.support.builders import register, resident_id


def test_the_bench_turns_autovacuum_off_on_every_table_of_a_migrated_database(empty_database):
    apply_migrations(empty_database)
    without_autovacuum(empty_database)
    with psycopg.connect(empty_database) as conn:
        still_on = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
            "AND NOT coalesce('autovacuum_enabled=false' = ANY(reloptions), false)").fetchall()
    assert still_on == []


def registered(ledger, seq: str, at: datetime) -> None:
    ledger.execute(register(resident_id(seq=seq), effective=date(2020, 1, 1)),
                   cmd.Context(command_id=uuid4(), actor=Actor(kind="office", id="t"), now=at))


def log_as_it_stands(conn) -> list:
    return conn.execute("SELECT notification_id, originator_id, originator_version, state FROM canbao_events "
                        "ORDER BY notification_id").fetchall() + conn.execute(
        "SELECT command_id, positions FROM command_log ORDER BY command_id").fetchall()


def test_the_contribution_files_in_place_ceiling_copies_what_was_written_and_leaves_the_log_as_it_was(ledger):
    registered(ledger, "101", datetime.now(timezone.utc))
    with ledger.store.datastore.get_connection() as conn:
        before = scans.head(conn)
    for seq in ("103", "105"):
        registered(ledger, seq, datetime.now(timezone.utc))
    with ledger.store.datastore.get_connection() as conn, tempfile.TemporaryFile() as events, \
            tempfile.TemporaryFile() as log:
        dump_binary(conn, events, log, after=before, command_type="RegisterPerson")
        was = log_as_it_stands(conn)
        assert copy_in_place(conn, events, log, before, "RegisterPerson") > 0
        assert log_as_it_stands(conn) == was


def test_the_in_place_ceiling_of_a_later_file_copies_only_the_command_log_rows_recorded_since_it_began(ledger):
    earlier = datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc)
    since = earlier + timedelta(minutes=1)
    registered(ledger, "101", earlier)  # a file imported before
    with ledger.store.datastore.get_connection() as conn:
        before, stored_before = scans.head_and_count(conn)
    for seq in ("103", "105"):
        registered(ledger, seq, since + timedelta(seconds=1))
    with ledger.store.datastore.get_connection() as conn, tempfile.TemporaryFile() as events, \
            tempfile.TemporaryFile() as log:
        dump_binary(conn, events, log, after=before, command_type="RegisterPerson", since=since)
        written = scans.head_and_count(conn)[1] - stored_before
        was = log_as_it_stands(conn)
        assert copy_in_place(conn, events, log, before, "RegisterPerson", since) > 0
        assert log_as_it_stands(conn) == was
        with empty_replicas(conn, "t") as (events_table, log_table):
            timed_copy(conn, events, events_table, EVENT_COLUMNS)
            timed_copy(conn, log, log_table, LOG_COLUMNS)
            copied = conn.execute(f"SELECT count(*) AS n FROM {log_table}").fetchone()["n"]
            events_copied = conn.execute(f"SELECT count(*) AS n FROM {events_table}").fetchone()["n"]
    assert copied == 2, "the earlier file's command-log row was counted in this file's ceiling"
    assert events_copied == written > 0
