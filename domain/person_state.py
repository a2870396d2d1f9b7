"""A person's state and `evolve`: the fold of their events. No rules here, never fails."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain import events as ev
from domain.schemes import scheme_of

NORMAL, SUSPENDED, TERMINATED = "1", "2", "4"


def replace(obj: Any, **changes: Any) -> Any:
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


def _set_enrollment(person: Person, enrollment: Enrollment) -> Person:
    return replace(person, enrollments={**person.enrollments, enrollment.id: enrollment})


def _change(person: Person, enrollment_id: UUID, effective: date, **what: str) -> Person:
    return _set_enrollment(person, person.enrollments[enrollment_id].changed(effective, **what))


def _status(person: Person, enrollment_id: UUID, effective: date, status: str) -> Person:
    return _change(person, enrollment_id, effective, status=status)


def _registered(p: Person, e: ev.PersonRegistered) -> Person:
    fields = e.model_dump(exclude={"effective", "reason", "warnings"})
    return replace(p, registered=True, **fields)


def _enrolled(p: Person, e: ev.Enrolled) -> Person:
    enrollment = Enrollment(
        e.enrollment_id, e.insurance_type, e.region, e.pooling_region, e.rider_of,
        (Period(e.effective, NORMAL, e.unit_code, e.person_type),), cross_scheme_with=e.cross_scheme_with,
    )
    transfers = {k: v for k, v in p.transfers.items() if k != e.transfer_id}
    return replace(_set_enrollment(p, enrollment), transfers=transfers)


def _resumed(p: Person, e: ev.EnrollmentResumed) -> Person:
    unit = {"unit_code": e.unit_code} if e.unit_code else {}
    return _change(p, e.enrollment_id, e.effective, status=NORMAL, **unit)


def _retired(p: Person, e: ev.PersonRetired) -> Person:
    for eid in e.enrollment_ids:
        p = _change(p, eid, e.effective, person_type=e.person_type)
    return p


def _died(p: Person, e: ev.PersonDied) -> Person:
    for eid in e.ended_enrollment_ids:
        p = _status(p, eid, e.effective, TERMINATED)
    return replace(p, survival_status="2")


def _transferred_out(p: Person, e: ev.TransferredOut) -> Person:
    types = tuple(p.enrollments[eid].insurance_type for eid in e.enrollment_ids)
    region = p.enrollments[e.enrollment_ids[0]].region
    for eid in e.enrollment_ids:
        p = _status(p, eid, e.effective, TERMINATED)
    pending = PendingTransfer(e.transfer_id, region, e.target_region, e.direction, types)
    return replace(p, transfers={**p.transfers, e.transfer_id: pending})


def _attribute(name: str) -> Callable[[Person, Any], Person]:
    def apply(p: Person, e: Any) -> Person:
        return _change(p, e.enrollment_id, e.effective, **{name: getattr(e, name)})

    return apply


def _base_corrected(p: Person, e: ev.BaseInfoCorrected) -> Person:
    updates: dict[str, Any] = {}
    for name, (_, now) in e.changes.items():
        if name == "birth_date":
            updates[name] = date.fromisoformat(now) if now else None
        elif name == "civil_servant":
            updates[name] = now == "1"
        else:
            updates[name] = now
    return replace(p, **updates)


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


def _enrollment_corrected(p: Person, e: ev.EnrollmentCorrected) -> Person:
    return _set_enrollment(p, apply_enrollment_changes(p.enrollments[e.enrollment_id], e.changes))


def _adopted(p: Person, e: ev.IdentityAdopted) -> Person:
    for r in e.enrollments:
        p = _set_enrollment(p, Enrollment(
            r.enrollment_id, r.insurance_type, r.region, r.pooling_region, r.rider_of,
            tuple(Period(*period) for period in r.periods), r.imported,
        ))
    return p


def _legacy(p: Person, e: ev.LegacyEnrollmentImported) -> Person:
    """A legacy row's status over its period: in force from its start, then as the row says."""
    first = Period(e.start, NORMAL, e.unit_code, e.person_type)
    if e.status == NORMAL:
        periods: tuple[Period, ...] = (first,)
    elif e.end is not None and e.end > e.start:
        periods = (first, replace(first, effective=e.end, status=e.status))
    else:
        periods = (replace(first, status=e.status),)
    return _set_enrollment(p, Enrollment(
        e.enrollment_id, e.insurance_type, e.region, e.pooling_region, None, periods,
        imported=True, cross_scheme_with=e.duplicates_of,
    ))


_EVOLVE: dict[type[ev.Event], Callable[[Person, Any], Person]] = {
    ev.PersonRegistered: _registered,
    ev.Enrolled: _enrolled,
    ev.EnrollmentSuspended: lambda p, e: _status(p, e.enrollment_id, e.effective, SUSPENDED),
    ev.EnrollmentResumed: _resumed,
    ev.EnrollmentTerminated: lambda p, e: _status(p, e.enrollment_id, e.effective, TERMINATED),
    ev.PersonRetired: _retired,
    ev.PersonDied: _died,
    ev.TransferredOut: _transferred_out,
    ev.PersonTypeChanged: _attribute("person_type"),
    ev.EnrollmentUnitChanged: _attribute("unit_code"),
    ev.BaseInfoCorrected: _base_corrected,
    ev.EnrollmentCorrected: _enrollment_corrected,
    # The enrollments moved to the adopting identity; keeping them here would count them twice.
    ev.IdentityMergedAway: lambda p, e: replace(p, merged_into=e.into_person_id, enrollments={}, transfers={}),
    ev.IdentityAdopted: _adopted,
    ev.PersonFrozen: lambda p, e: replace(p, frozen=True),
    ev.PersonUnfrozen: lambda p, e: replace(p, frozen=False),
    ev.LegacyEnrollmentImported: _legacy,
}


def evolve(person: Person, event: ev.Event) -> Person:
    return _EVOLVE[type(event)](person, event)


def fold(events: Iterable[ev.Event], person: Person = INITIAL) -> Person:
    return reduce(evolve, events, person)
