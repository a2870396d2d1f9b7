"""A person's state and `evolve`: the fold of their events. No rules here, never fails."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from domain import events as ev
from domain.schemes import scheme_of

NORMAL, SUSPENDED, TERMINATED = "1", "2", "4"


@dataclass(frozen=True)
class Enrollment:
    id: UUID
    insurance_type: str
    region: str
    pooling_region: str
    unit_code: str
    person_type: str
    rider_of: UUID | None
    changes: tuple[tuple[date, str], ...]  # (effective, 参保状态) in valid-time order
    imported: bool = False
    cross_scheme_with: tuple[UUID, ...] = ()

    @property
    def status(self) -> str:
        return self.changes[-1][1]

    @property
    def start(self) -> date:
        return self.changes[0][0]

    @property
    def end(self) -> date | None:
        return self.changes[-1][0] if self.status == TERMINATED else None

    @property
    def last_change(self) -> date:
        return self.changes[-1][0]

    @property
    def is_open(self) -> bool:
        return self.status in (NORMAL, SUSPENDED)

    @property
    def scheme(self) -> str | None:
        return scheme_of(self.insurance_type)

    def with_status(self, effective: date, status: str) -> Enrollment:
        return replace(self, changes=(*self.changes, (effective, status)))

    def as_record(self) -> ev.EnrollmentRecord:
        return ev.EnrollmentRecord(
            enrollment_id=self.id, insurance_type=self.insurance_type, region=self.region,
            pooling_region=self.pooling_region, unit_code=self.unit_code,
            person_type=self.person_type, rider_of=self.rider_of, changes=self.changes,
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


def _status(person: Person, enrollment_id: UUID, effective: date, status: str) -> Person:
    return _set_enrollment(person, person.enrollments[enrollment_id].with_status(effective, status))


def _registered(p: Person, e: ev.PersonRegistered) -> Person:
    fields = e.model_dump(exclude={"effective", "reason"})
    return replace(p, registered=True, **fields)


def _enrolled(p: Person, e: ev.Enrolled) -> Person:
    enrollment = Enrollment(
        e.enrollment_id, e.insurance_type, e.region, e.pooling_region, e.unit_code,
        e.person_type, e.rider_of, ((e.effective, NORMAL),), cross_scheme_with=e.cross_scheme_with,
    )
    transfers = {k: v for k, v in p.transfers.items() if k != e.transfer_id}
    return replace(_set_enrollment(p, enrollment), transfers=transfers)


def _resumed(p: Person, e: ev.EnrollmentResumed) -> Person:
    p = _status(p, e.enrollment_id, e.effective, NORMAL)
    if e.unit_code:
        p = _set_enrollment(p, replace(p.enrollments[e.enrollment_id], unit_code=e.unit_code))
    return p


def _retired(p: Person, e: ev.PersonRetired) -> Person:
    for eid in e.enrollment_ids:
        p = _set_enrollment(p, replace(p.enrollments[eid], person_type=e.person_type))
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
        return _set_enrollment(p, replace(p.enrollments[e.enrollment_id], **{name: getattr(e, name)}))

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
    """An enrollment as a correction says it should have read (shared with the decider)."""
    updated = enrollment
    for name, (_, now) in changes.items():
        if name == "start" and now:
            first = (date.fromisoformat(now), updated.changes[0][1])
            updated = replace(updated, changes=(first, *updated.changes[1:]))
        elif name == "end" and now:
            last = (date.fromisoformat(now), TERMINATED)
            kept = updated.changes[:-1] if updated.status == TERMINATED else updated.changes
            updated = replace(updated, changes=(*kept, last))
        elif name == "end":  # an end recorded by mistake: the enrollment is open again
            updated = replace(updated, changes=updated.changes[:-1])
        elif now is not None:
            updated = replace(updated, **{name: now})
    return updated


def _enrollment_corrected(p: Person, e: ev.EnrollmentCorrected) -> Person:
    return _set_enrollment(p, apply_enrollment_changes(p.enrollments[e.enrollment_id], e.changes))


def _adopted(p: Person, e: ev.IdentityAdopted) -> Person:
    for r in e.enrollments:
        p = _set_enrollment(p, Enrollment(
            r.enrollment_id, r.insurance_type, r.region, r.pooling_region, r.unit_code,
            r.person_type, r.rider_of, r.changes, r.imported,
        ))
    return p


def _legacy(p: Person, e: ev.LegacyEnrollmentImported) -> Person:
    changes: tuple[tuple[date, str], ...] = ((e.start, e.status if e.status != TERMINATED else NORMAL),)
    if e.status == TERMINATED:
        changes += ((e.end or e.start, TERMINATED),)
    elif e.end is not None and e.status == SUSPENDED:
        changes = ((e.start, NORMAL), (e.end, SUSPENDED))
    return _set_enrollment(p, Enrollment(
        e.enrollment_id, e.insurance_type, e.region, e.pooling_region, e.unit_code,
        e.person_type, None, changes, imported=True, cross_scheme_with=e.duplicates_of,
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
    ev.IdentityMergedAway: lambda p, e: replace(p, merged_into=e.into_person_id),
    ev.IdentityAdopted: _adopted,
    ev.LegacyEnrollmentImported: _legacy,
}


def evolve(person: Person, event: ev.Event) -> Person:
    return _EVOLVE[type(event)](person, event)


def fold(events: Iterable[ev.Event], person: Person = INITIAL) -> Person:
    for event in events:
        person = evolve(person, event)
    return person
