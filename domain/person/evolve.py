"""`evolve`: a person's state after one more event, and `fold` over a history.

No rules here, and it never fails on a stored event: rules belong to the deciders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import reduce
from typing import Any
from uuid import UUID

from domain.dates import month_after
from domain.event import Event
from domain.person import events as ev
from domain.person.state import (
    INITIAL,
    NORMAL,
    SUSPENDED,
    TERMINATED,
    Contribution,
    Enrollment,
    PendingTransfer,
    Period,
    Person,
    apply_enrollment_changes,
    replace,
)


def _set_enrollment(person: Person, enrollment: Enrollment) -> Person:
    return replace(person, enrollments={**person.enrollments, enrollment.id: enrollment})


def _change(person: Person, enrollment_id: UUID, effective: date, **what: str) -> Person:
    return _set_enrollment(person, person.enrollments[enrollment_id].changed(effective, **what))


def _status(person: Person, enrollment_id: UUID, effective: date, status: str) -> Person:
    return _change(person, enrollment_id, effective, status=status)


_REGISTERED = tuple(f for f in ev.PersonRegistered.model_fields if f not in ("effective", "reason", "warnings"))


def _registered(p: Person, e: ev.PersonRegistered) -> Person:
    # The event's own values (all plain): model_dump would copy them through the serializer.
    return replace(p, registered=True, **{f: e.__dict__[f] for f in _REGISTERED})


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
    elif e.end is not None:  # the last month paid counts in full: the status changes the month after
        periods = (first, replace(first, effective=month_after(e.end), status=e.status))
    else:
        periods = (replace(first, status=e.status),)
    return _set_enrollment(p, Enrollment(
        e.enrollment_id, e.insurance_type, e.region, e.pooling_region, None, periods,
        imported=True, cross_scheme_with=e.duplicates_of,
    ))


def _contribution(p: Person, e: ev.ContributionRecorded) -> Person:
    paid = Contribution(e.effective, e.insurance_type, e.region, e.unit_code, e.base, e.unit_amount,
                        e.personal_amount, e.paid_on)
    return replace(p, contributions={**p.contributions, (paid.month, paid.insurance_type, paid.region): paid})


def _fake_removed(p: Person, e: ev.FakeEnrollmentRemoved) -> Person:
    """It never existed: gone from every valid date, its riders with it (the event keeps what and why)."""
    kept = {k: v for k, v in p.enrollments.items() if k != e.enrollment_id and v.rider_of != e.enrollment_id}
    return replace(p, enrollments=kept)


_EVOLVE: dict[type[Event], Callable[[Person, Any], Person]] = {
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
    ev.ContributionRecorded: _contribution,
    # It never existed: gone from every valid date (the event keeps what was removed and why).
    ev.FakeEnrollmentRemoved: _fake_removed,
}


def evolve(person: Person, event: Event) -> Person:
    return _EVOLVE[type(event)](person, event)


def fold(events: Iterable[Event], person: Person = INITIAL) -> Person:
    return reduce(evolve, events, person)
