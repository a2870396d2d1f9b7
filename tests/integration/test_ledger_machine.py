"""Random command sequences over several persons, regions, schemes and units, on the real
ledger; the invariants are checked after every step."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from canbao.ledger import Ledger
from canbao.migrations import apply_migrations
from canbao.store import EventStore
from domain import commands as cmd
from domain.errors import DomainError
from domain.id_numbers import person_id
from domain.person_state import NORMAL, fold
from domain.schemes import scheme_of
from domain.timeline import snapshot, spells
from tests.support.builders import (
    COMMUNITY, EMPLOYER, EMPLOYER_2, FLEX_UNIT, NOW, ctx, register, register_unit, resident_id,
)

TODAY = NOW.date()
PEOPLE = [resident_id(seq=s) for s in ("311", "422", "533")]
REGIONS = ["350102", "350103", "350203", "110101"]
PLACES = {  # insurance type → (unit, person type)
    "310": (EMPLOYER, "1101"), "390": (COMMUNITY, "1501"), "330": (EMPLOYER, "1101"), "391": (COMMUNITY, "1501"),
}
person = st.sampled_from(PEOPLE)
days = st.integers(min_value=0, max_value=900)
pick = st.integers(min_value=0, max_value=5)


class LedgerMachine(RuleBasedStateMachine):
    store: EventStore

    def __init__(self) -> None:
        super().__init__()
        with self.store.datastore.get_connection() as conn:
            conn.execute("TRUNCATE canbao_events, command_log")
        self.ledger = Ledger(self.store)
        self.seen: dict = defaultdict(list)  # stream id → events the ledger said it recorded
        self.clock = {p: date(2005, 1, 1) for p in PEOPLE}
        for command in (register_unit(), register_unit(EMPLOYER_2, name="二"),
                        register_unit(COMMUNITY, "08", name="社区"), register_unit(FLEX_UNIT, "02", name="灵活"),
                        *(register(p) for p in PEOPLE[:2])):
            self.run(command)

    def run(self, command, context=None) -> bool:
        try:
            outcome = self.ledger.execute(command, context or ctx())
        except DomainError:
            return False
        for r in outcome.events:
            self.seen[r.stream_id].append(r.event)
        return True

    def when(self, p: str, after: int) -> date:
        return min(self.clock[p] + timedelta(days=after), TODAY)

    def enrollment(self, p: str, n: int):
        enrollments = list(fold(self.seen[person_id("01", p)]).enrollments.values())
        return enrollments[n % len(enrollments)] if enrollments else None

    def advance(self, p: str, day: date, ok: bool) -> None:
        if ok:
            self.clock[p] = max(self.clock[p], day)

    @rule(p=person)
    def register(self, p):
        self.run(register(p))

    @rule(p=person, insurance_type=st.sampled_from(sorted(PLACES)), region=st.sampled_from(REGIONS), after=days,
          flexible=st.booleans())
    def enroll(self, p, insurance_type, region, after, flexible):
        unit, person_type = PLACES[insurance_type]
        if flexible and insurance_type == "310":
            unit, person_type = FLEX_UNIT, "1103"
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Enroll(effective=day, id_number=p, insurance_type=insurance_type,
                                                  region=region, unit_code=unit, person_type=person_type)))

    @rule(p=person, n=pick, after=days, reason=st.sampled_from(["6301", "6304", "6399"]))
    def suspend(self, p, n, after, reason):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            self.advance(p, day, self.run(cmd.Suspend(effective=day, id_number=p, enrollment_id=e.id, reason=reason)))

    @rule(p=person, n=pick, after=days, new_unit=st.booleans())
    def resume(self, p, n, after, new_unit):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            unit = EMPLOYER_2 if new_unit and e.unit_code == EMPLOYER else None
            self.advance(p, day, self.run(cmd.Resume(effective=day, id_number=p, enrollment_id=e.id, unit_code=unit)))

    @rule(p=person, n=pick, after=days)
    def terminate(self, p, n, after):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            self.advance(p, day, self.run(cmd.Terminate(effective=day, id_number=p, enrollment_id=e.id, reason="6402")))

    @rule(p=person, after=days)
    def retire(self, p, after):
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Retire(effective=day, id_number=p)))

    @rule(p=person, after=days)
    def die(self, p, after):
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Die(effective=day, id_number=p)))

    @rule(p=person, n=pick, after=days, to=st.sampled_from(REGIONS))
    def transfer(self, p, n, after, to):
        e = self.enrollment(p, n)
        if e is None or scheme_of(e.insurance_type) is None:
            return
        day, transfer_id = self.when(p, after), uuid4()
        direction = "11" if e.insurance_type == "310" else "41"
        if self.run(cmd.TransferOut(effective=day, id_number=p, enrollment_id=e.id, target_region=to,
                                    direction=direction, transfer_id=transfer_id)):
            self.advance(p, day, True)
            unit, person_type = (EMPLOYER_2, e.person_type) if e.insurance_type == "310" else (COMMUNITY, "1501")
            self.run(cmd.TransferIn(effective=day, id_number=p, transfer_id=transfer_id, region=to,
                                    insurance_type="310" if direction == "11" else "390", unit_code=unit,
                                    person_type=person_type if person_type in ("1101", "1103", "1501") else "1101"))

    @rule(p=person, n=pick, back=st.integers(min_value=-400, max_value=400))
    def correct_start(self, p, n, back):
        if e := self.enrollment(p, n):
            start = (e.start + timedelta(days=back)).isoformat()
            self.run(cmd.CorrectEnrollment(effective=TODAY, id_number=p, enrollment_id=e.id, changes={"start": start},
                                           reason="录入错误"), ctx(evidence=("证明材料",)))

    @rule(suspend_staff=st.booleans())
    def cancel_second_employer(self, suspend_staff):
        self.run(cmd.CancelUnit(effective=TODAY, unit_code=EMPLOYER_2, suspend_staff=suspend_staff))

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
                for earlier, later in zip(place, place[1:]):
                    assert earlier.valid_to is not None and earlier.valid_to <= later.valid_from, (p, earlier, later)

    @invariant()
    def the_bitemporal_answer_at_now_is_the_current_state(self):
        for p, history in self.histories():
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
