"""A rebuild shared among worker processes writes the tables one process writes."""

from __future__ import annotations

import itertools
import random

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from application.service import Ledger
from demo.population import write_extract
from importer.bulk import import_extract
from projections.catalog import PROJECTIONS
from projections.copying import Batches, encoded
from projections.rebuild_shares import share_bounds
from projections.runner import ProjectionRunner
from tests.support.scenario import ACTIONS, PEOPLE, PLACES, REGIONS, Scenario
from tests.support.views import tables_by_fold, tables_now


def test_worker_processes_rebuild_the_tables_one_process_rebuilds(store, empty_database, tmp_path):
    write_extract(tmp_path / "extract.csv", persons=300, seed=8)
    import_extract(store.datastore, tmp_path / "extract.csv", conninfo=empty_database, workers=1)
    scenario, pick = Scenario(Ledger(store)), random.Random(3)  # units, and persons with every kind of event
    for _ in range(60):
        scenario.play(pick.choice(ACTIONS), pick.choice(PEOPLE), pick.randint(0, 900), pick.randint(0, 5),
                      pick.choice(REGIONS), pick.choice(sorted(PLACES)), pick.random() < 0.5)
    one_events, one_position = ProjectionRunner(store.datastore).rebuild(list(PROJECTIONS))
    by_one = tables_now(store.datastore)
    assert by_one["unit_view"] and by_one["enrollment_spell"] and by_one == tables_by_fold(store.datastore)
    reports = []
    events, position = ProjectionRunner(store.datastore, empty_database, workers=2).rebuild(
        list(PROJECTIONS), lambda done, total: reports.append((done, total)), share_from=0)
    assert (events, position) == (one_events, one_position) and reports[-1] == (events, events)
    assert tables_now(store.datastore) == by_one


def test_a_rebuild_whose_workers_fail_leaves_the_previous_tables_in_place(store, empty_database, tmp_path):
    write_extract(tmp_path / "extract.csv", persons=100, seed=9)
    import_extract(store.datastore, tmp_path / "extract.csv", conninfo=empty_database, workers=1)
    ProjectionRunner(store.datastore).rebuild(list(PROJECTIONS))
    before = tables_now(store.datastore)
    with pytest.raises(RuntimeError, match="a rebuild worker failed"):
        ProjectionRunner(store.datastore, make_conninfo(empty_database, dbname="no_such_database"), workers=2).rebuild(
            list(PROJECTIONS), share_from=0)
    assert tables_now(store.datastore) == before and before["person_view"]


def test_the_shares_cover_every_stream_id_once():
    bounds = share_bounds(3)
    assert bounds[0][0].int == 0 and bounds[-1][1] is None
    assert all(high == low for (_, high), (low, _) in itertools.pairwise(bounds))


def test_chunks_written_as_one_copy_leave_no_empty_pages_in_a_table_emptied_by_the_same_transaction(
        empty_database):
    chunks, rows = 12, 8_000
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE chunked (n integer, filler text)")
        payloads = [encoded(conn.cursor(), [23, 25], [(c * rows + i, "x" * 120) for i in range(rows)])
                    for c in range(chunks)]
        with conn.transaction():
            conn.execute("TRUNCATE chunked")  # a new file: PostgreSQL skips its free-space map
            batches = Batches(conn, {"chunked": ("n", "filler")}, limit=sum(map(len, payloads)) // 2)
            for payload in payloads:
                batches.add("chunked", payload)
            batches.flush()
        pages, used = conn.execute("SELECT pg_relation_size('chunked') / 8192, "
                                   "count(DISTINCT (ctid::text::point)[0]) FROM chunked").fetchone()
        assert conn.execute("SELECT array_agg(n ORDER BY n) = array_agg(n) FROM chunked").fetchone() == (True,)
        assert conn.execute("SELECT count(*) FROM chunked").fetchone() == (chunks * rows,)
        assert pages - used <= 2 * 64, "at most one extension's worth of empty pages per COPY"
        with pytest.raises(ValueError, match="binary COPY"):
            batches.add("chunked", b"n,filler\n1,x\n")
