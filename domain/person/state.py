"""A person's state: identity, base information, enrollments with their periods in valid
time, transfers under way. Built by `domain.person.evolve`; no rules here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from domain.person import events as ev
from domain.schemes import scheme_of

NORMAL, SUSPENDED, TERMINATED = "1", "2", "4"

T = TypeVar("T")


def replace(obj: T, **changes: Any) -> T:
    """`dataclasses.replace` without re-running __init__, which a fold would pay on every event."""
    assert changes.keys() <= obj.__dict__.keys(), f"no such field: {changes.keys() - obj.__dict__.keys()}"
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


@dataclass(frozen=True)
class Period:
    """From `effective` on (valid time), the enrollment had this status, unit and person type."""

    effective: date
    status: str
    unit_code: str
    person_type: str


@dataclass(frozen=True)
class Enrollment:
    id: UUID
    insurance_type: str
    region: str
    pooling_region: str
    rider_of: UUID | None
    periods: tuple[Period, ...]  # in valid-time order
    imported: bool = False
    cross_scheme_with: tuple[UUID, ...] = ()

    @property
    def status(self) -> str:
        return self.periods[-1].status

    @property
    def unit_code(self) -> str:
        return self.periods[-1].unit_code

    @property
    def person_type(self) -> str:
        return self.periods[-1].person_type

    @property
    def start(self) -> date:
        return self.periods[0].effective

    @property
    def end(self) -> date | None:
        return self.periods[-1].effective if self.status == TERMINATED else None

    @property
    def last_change(self) -> date:
        return self.periods[-1].effective

    @property
    def is_open(self) -> bool:
        return self.status in (NORMAL, SUSPENDED)

    @property
    def scheme(self) -> str | None:
        return scheme_of(self.insurance_type)

    def changed(self, effective: date, **what: str) -> Enrollment:
        """A new period from `effective` on, like the last one but for `what`."""
        return replace(self, periods=(*self.periods, replace(self.periods[-1], effective=effective, **what)))

    def as_record(self) -> ev.EnrollmentRecord:
        return ev.EnrollmentRecord(
            enrollment_id=self.id, insurance_type=self.insurance_type, region=self.region,
            pooling_region=self.pooling_region, unit_code=self.unit_code, person_type=self.person_type,
            rider_of=self.rider_of, periods=tuple(
                (p.effective, p.status, p.unit_code, p.person_type) for p in self.periods),
            imported=self.imported,
        )


@dataclass(frozen=True)
class Contribution:
    """One month paid (缴费记录) for one enrollment: the month, where, for whom, how much."""

    month: date  # its first day
    insurance_type: str
    region: str
    unit_code: str
    base: Decimal
    unit_amount: Decimal
    personal_amount: Decimal
    paid_on: date | None


@dataclass(frozen=True)
class PendingTransfer:
    transfer_id: UUID
    from_region: str
    target_region: str
    direction: str
    insurance_types: tuple[str, ...]


@dataclass(frozen=True)
class Person:
    registered: bool = False
    certificate_type: str = ""
    id_number: str = ""
    name: str = ""
    gender: str = ""
    birth_date: date | None = None
    ethnicity: str = ""
    nationality: str = ""
    survival_status: str = "1"
    civil_servant: bool = False
    phone: str | None = None
    household_region: str | None = None
    address: str | None = None
    legacy_id_number: str | None = None
    enrollments: dict[UUID, Enrollment] = field(default_factory=dict)
    transfers: dict[UUID, PendingTransfer] = field(default_factory=dict)
    merged_into: UUID | None = None
    frozen: bool = False
    # (month, insurance type, region) → what was paid for it
    contributions: dict[tuple[date, str, str], Contribution] = field(default_factory=dict)

    @property
    def dead(self) -> bool:
        return self.survival_status == "2"

    def open_enrollments(self) -> list[Enrollment]:
        return [e for e in self.enrollments.values() if e.is_open]

    def riders_of(self, enrollment_id: UUID) -> list[Enrollment]:
        return [e for e in self.enrollments.values() if e.rider_of == enrollment_id and e.is_open]


INITIAL = Person()

BASE_FIELDS = (
    "name", "gender", "birth_date", "ethnicity", "nationality", "survival_status",
    "civil_servant", "phone", "household_region", "address",
)


def apply_enrollment_changes(enrollment: Enrollment, changes: dict[str, tuple[str | None, str | None]]) -> Enrollment:
    """An enrollment as a correction says it should have read (shared with the decider).

    Start and end move the first and the closing period; any other field was wrong from
    the start, so it is corrected in every period.
    """
    periods = enrollment.periods
    for name, (_, now) in changes.items():
        if name == "start" and now:
            periods = (replace(periods[0], effective=date.fromisoformat(now)), *periods[1:])
        elif name == "end" and now:
            kept = periods[:-1] if periods[-1].status == TERMINATED else periods
            periods = (*kept, replace(kept[-1], effective=date.fromisoformat(now), status=TERMINATED))
        elif name == "end":  # an end recorded by mistake: the enrollment is open again
            periods = periods[:-1]
        elif name in ("unit_code", "person_type") and now is not None:
            periods = tuple(replace(p, **{name: now}) for p in periods)
        elif now is not None:
            enrollment = replace(enrollment, **{name: now})
    return replace(enrollment, periods=periods)
