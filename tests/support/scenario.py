"""Random but plausible command sequences on the real ledger, shared by property tests.

Each method tries one kind of command; refusals are part of the game and are ignored.
The system clock advances a minute per command so histories have distinct system times.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

from hypothesis import strategies as st

from application.service import Ledger
from domain import commands as cmd
from domain.errors import DomainError
from domain.id_numbers import person_id
from domain.person.evolve import fold
from domain.schemes import scheme_of
from tests.support.builders import (
    CLERK,
    COMMUNITY,
    EMPLOYER,
    EMPLOYER_2,
    FLEX_UNIT,
    NOW,
    register,
    register_unit,
    resident_id,
)

TODAY = NOW.date()
PEOPLE = [resident_id(seq=s) for s in ("311", "422", "533")]
REGIONS = ["350102", "350103", "350203", "110101"]
PLACES = {  # insurance type → (unit, person type)
    "310": (EMPLOYER, "1101"), "390": (COMMUNITY, "1501"), "330": (EMPLOYER, "1101"), "391": (COMMUNITY, "1501"),
}
ACTIONS = ("register", "enroll", "suspend", "resume", "terminate", "retire", "die", "transfer", "correct_start",
           "cancel_second_employer")

person = st.sampled_from(PEOPLE)
days = st.integers(min_value=0, max_value=900)
pick = st.integers(min_value=0, max_value=5)
step = st.tuples(st.sampled_from(ACTIONS), person, days, pick, st.sampled_from(REGIONS),
                 st.sampled_from(sorted(PLACES)), st.booleans())


class Scenario:
    def __init__(self, ledger: Ledger, start: datetime = datetime(2026, 10, 1, tzinfo=timezone.utc)) -> None:
        self.ledger = ledger
        self.system_time = start
        self.seen: dict = defaultdict(list)  # stream id → events the ledger said it recorded
        self.clock = {p: date(2005, 1, 1) for p in PEOPLE}
        for command in (register_unit(), register_unit(EMPLOYER_2, name="二"),
                        register_unit(COMMUNITY, "08", name="社区"), register_unit(FLEX_UNIT, "02", name="灵活"),
                        *(register(p) for p in PEOPLE[:2])):
            self.run(command)

    def run(self, command, evidence: tuple[str, ...] = ()) -> bool:
        self.system_time += timedelta(minutes=1)
        context = cmd.Context(command_id=uuid4(), actor=CLERK, now=self.system_time, evidence=evidence)
        try:
            outcome = self.ledger.execute(command, context)
        except DomainError:
            return False
        for r in outcome.events:
            self.seen[r.stream_id].append(r.event)
        return True

    def play(self, action: str, p: str, after: int, n: int, region: str, insurance_type: str, flag: bool) -> None:
        {
            "register": lambda: self.register(p),
            "enroll": lambda: self.enroll(p, insurance_type, region, after, flag),
            "suspend": lambda: self.suspend(p, n, after),
            "resume": lambda: self.resume(p, n, after, flag),
            "terminate": lambda: self.terminate(p, n, after),
            "retire": lambda: self.retire(p, after),
            "die": lambda: self.die(p, after),
            "transfer": lambda: self.transfer(p, n, after, region),
            "correct_start": lambda: self.correct_start(p, n, after - 450),
            "cancel_second_employer": lambda: self.cancel_second_employer(flag),
        }[action]()

    def when(self, p: str, after: int) -> date:
        return min(self.clock[p] + timedelta(days=after), TODAY)

    def enrollment(self, p: str, n: int):
        enrollments = list(fold(self.seen[person_id("01", p)]).enrollments.values())
        return enrollments[n % len(enrollments)] if enrollments else None

    def advance(self, p: str, day: date, ok: bool) -> None:
        if ok:
            self.clock[p] = max(self.clock[p], day)

    def register(self, p):
        self.run(register(p))

    def enroll(self, p, insurance_type, region, after, flexible):
        unit, person_type = PLACES[insurance_type]
        if flexible and insurance_type == "310":
            unit, person_type = FLEX_UNIT, "1103"
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Enroll(effective=day, id_number=p, insurance_type=insurance_type,
                                                  region=region, unit_code=unit, person_type=person_type)))

    def suspend(self, p, n, after, reason="6301"):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            self.advance(p, day, self.run(cmd.Suspend(effective=day, id_number=p, enrollment_id=e.id, reason=reason)))

    def resume(self, p, n, after, new_unit):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            unit = EMPLOYER_2 if new_unit and e.unit_code == EMPLOYER else None
            self.advance(p, day, self.run(cmd.Resume(effective=day, id_number=p, enrollment_id=e.id, unit_code=unit)))

    def terminate(self, p, n, after):
        if e := self.enrollment(p, n):
            day = self.when(p, after)
            self.advance(p, day, self.run(cmd.Terminate(effective=day, id_number=p, enrollment_id=e.id, reason="6402")))

    def retire(self, p, after):
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Retire(effective=day, id_number=p)))

    def die(self, p, after):
        day = self.when(p, after)
        self.advance(p, day, self.run(cmd.Die(effective=day, id_number=p)))

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

    def correct_start(self, p, n, shift_days):
        if e := self.enrollment(p, n):
            start = (e.start + timedelta(days=shift_days)).isoformat()
            self.run(cmd.CorrectEnrollment(effective=TODAY, id_number=p, enrollment_id=e.id, changes={"start": start},
                                           reason="录入错误"), evidence=("证明材料",))

    def cancel_second_employer(self, suspend_staff):
        self.run(cmd.CancelUnit(effective=TODAY, unit_code=EMPLOYER_2, suspend_staff=suspend_staff))
