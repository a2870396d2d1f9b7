"""Random command sequences over several persons, regions, schemes and units, on the real
ledger; the invariants are checked after every step."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from application.service import Ledger
from canbao.migrations import apply_migrations
from domain.id_numbers import person_id
from domain.person.evolve import fold
from domain.person.state import NORMAL
from domain.timeline import snapshot, spells
from eventlog.store import EventStore
from tests.support.scenario import PEOPLE, TODAY, Scenario, step


class LedgerMachine(RuleBasedStateMachine):
    store: EventStore

    def __init__(self) -> None:
        super().__init__()
        with self.store.datastore.get_connection() as conn:
            conn.execute("TRUNCATE canbao_events, command_log")
        self.scenario = Scenario(Ledger(self.store))
        self.ledger, self.seen = self.scenario.ledger, self.scenario.seen

    @rule(move=step)
    def play(self, move):
        self.scenario.play(*move)

    # ---- invariants ------------------------------------------------------------------

    def histories(self):
        for p in PEOPLE:
            yield p, self.ledger.person_stream("01", p).events

    @invariant()
    def reloading_from_the_store_reproduces_the_state(self):
        for p, history in self.histories():
            assert fold(r.event for r in history) == fold(self.seen[person_id("01", p)])

    @invariant()
    def at_most_one_enrollment_in_force_per_scheme(self):
        for p in PEOPLE:
            in_force = [e.scheme for e in fold(self.seen[person_id("01", p)]).open_enrollments()
                        if e.status == NORMAL and e.scheme and not e.imported]
            assert len(in_force) == len(set(in_force)), p

    @invariant()
    def the_dead_have_no_open_enrollment(self):
        for p in PEOPLE:
            state = fold(self.seen[person_id("01", p)])
            assert not (state.dead and state.open_enrollments())

    @invariant()
    def spells_never_overlap_within_one_type_and_region(self):
        for p in PEOPLE:
            by_place = defaultdict(list)
            for s in spells(fold(self.seen[person_id("01", p)])):
                by_place[(s.insurance_type, s.region)].append(s)
            for place in by_place.values():
                place.sort(key=lambda s: s.valid_from)
                for earlier, later in zip(place, place[1:], strict=False):
                    assert earlier.valid_to is not None and earlier.valid_to <= later.valid_from, (p, earlier, later)

    @invariant()
    def the_bitemporal_answer_at_now_is_the_current_state(self):
        for _, history in self.histories():
            state = fold(r.event for r in history)
            current = {(e.id, e.status) for e in state.open_enrollments()}
            assert {(s.enrollment_id, s.status) for s in snapshot(history, TODAY)} == current


@pytest.fixture
def machine_store(empty_database):
    apply_migrations(empty_database)
    store = EventStore(empty_database)
    yield store
    store.close()


def test_random_command_sequences_keep_the_ledgers_invariants(machine_store):
    LedgerMachine.store = machine_store
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=60, stateful_step_count=40, deadline=None))
