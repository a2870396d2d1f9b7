"""Projections never drift from the events: incremental = rebuild = pure fold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.service import Ledger
from domain.schemes import scheme_of
from domain.timeline import snapshot
from projections.catalog import PROJECTIONS
from projections.queries import cohort_counts
from projections.runner import ProjectionRunner
from tests.support.scenario import Scenario, step
from tests.support.views import reset, tables_by_fold, tables_now


@pytest.fixture
def runner(store) -> ProjectionRunner:
    return ProjectionRunner(store.datastore)


def catch_up_all(runner, batch_size: int = 2_000, together: bool = False) -> None:
    """As the follower does: all projections as one while they stand together, else one by one."""
    if together and runner.catch_up_together(list(PROJECTIONS), batch_size) is not None:
        return
    for projection in PROJECTIONS:
        runner.catch_up(projection, batch_size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=30), batch_size=st.integers(min_value=1, max_value=40),
       every=st.integers(min_value=1, max_value=10), together=st.booleans())
def test_incremental_processing_equals_a_rebuild_equals_the_fold(store, runner, steps, batch_size, every, together):
    reset(store.datastore)
    scenario = Scenario(Ledger(store))
    for n, move in enumerate(steps, start=1):
        scenario.play(*move)
        if n % every == 0:
            catch_up_all(runner, batch_size, together)
    catch_up_all(runner, batch_size, together)
    incremental = tables_now(store.datastore)
    assert incremental == tables_by_fold(store.datastore)
    runner.rebuild(list(PROJECTIONS))
    assert tables_now(store.datastore) == incremental


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=10, max_size=40), picks=st.lists(st.tuples(
    st.integers(min_value=0, max_value=8000), st.integers(min_value=0, max_value=60)), min_size=3, max_size=6))
def test_cohort_counts_as_of_d_as_known_at_t_match_folding_the_events(store, runner, steps, picks):
    reset(store.datastore)
    scenario = Scenario(Ledger(store))
    for move in steps:
        scenario.play(*move)
    catch_up_all(runner)
    histories = [h for h in (scenario.ledger.store.load(sid).events for sid in list(scenario.seen))
                 if h and h[0].event.topic.startswith("person.")]
    for day_offset, minute in picks:
        as_of = date(2005, 1, 1) + timedelta(days=day_offset)
        known_at = scenario.system_time - timedelta(minutes=minute)
        expected: dict[tuple[str, str], set] = {}
        for history in histories:
            for spell in snapshot(history, as_of, known_at):
                if scheme_of(spell.insurance_type):
                    expected.setdefault((spell.region, scheme_of(spell.insurance_type)), set()).add(
                        history[0].stream_id
                    )
        with store.datastore.get_connection() as conn:
            assert cohort_counts(conn, as_of, known_at) == {k: len(v) for k, v in expected.items()}


# Every (valid date, system time) at which what was believed changes: the dates spells begin and
# end on, the times spell rows were recorded at. Who was enrolled is read at each of them, from
# enrolled_identity and from enrollment_spell; a row of the one not in the other is counted.
AT_EVERY_CHANGE = """
WITH d AS (SELECT valid_from AS d FROM enrollment_spell UNION SELECT valid_to FROM enrollment_spell),
     t AS (SELECT DISTINCT recorded_from AS t FROM enrollment_spell),
     enrolled AS (
         SELECT d, t, person_id, region, id_number, name, gender, birth_date, household_region
         FROM d, t, enrolled_identity WHERE {in_force}),
     spelled AS (
         SELECT DISTINCT d, t, person_id, region, id_number, name, gender, birth_date, household_region
         FROM d, t, enrollment_spell
         WHERE certificate_type = '01' AND id_number <> '' AND insurance_type IN ('310', '390', '391', '380')
           AND status IN ('1', '2') AND {in_force})
SELECT (SELECT count(*) FROM (SELECT * FROM enrolled EXCEPT ALL SELECT * FROM spelled) extra) AS extra,
       (SELECT count(*) FROM (SELECT * FROM spelled EXCEPT SELECT * FROM enrolled) missing) AS missing,
       (SELECT count(*) FROM (SELECT FROM enrolled GROUP BY d, t, person_id, region HAVING count(*) > 1) twice)
           AS twice,
       (SELECT count(*) FROM spelled) AS spelled
""".format(in_force="valid_from <= d AND (valid_to IS NULL OR valid_to > d) AND recorded_from <= t "
                    "AND (recorded_to IS NULL OR recorded_to > t)")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=10, max_size=40))
def test_who_was_enrolled_on_any_date_as_known_at_any_time_is_each_enrolled_persons_region_once(store, runner,
                                                                                               steps):
    reset(store.datastore)
    scenario = Scenario(Ledger(store))
    for move in steps:
        scenario.play(*move)
    catch_up_all(runner)
    with store.datastore.get_connection() as conn:
        compared = conn.execute(AT_EVERY_CHANGE).fetchone()
    assert (compared["extra"], compared["missing"], compared["twice"]) == (0, 0, 0)


def test_projections_apart_are_not_caught_up_together(store, runner):
    reset(store.datastore)
    Scenario(Ledger(store))  # four units and two persons recorded
    first, *others = PROJECTIONS
    runner.catch_up(first)
    assert runner.catch_up_together(list(PROJECTIONS)) is None
    assert {runner.position(p.name) for p in others} == {0}, "nothing was done"
    for projection in others:
        runner.catch_up(projection)
    assert runner.catch_up_together(list(PROJECTIONS)) == 0, "together again, and nothing new"
