"""What is recorded about an insured person (参保人员): enrollments, changes, corrections, identity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.event import Event


class PersonRegistered(Event):
    topic = "person.registered"
    certificate_type: str
    id_number: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    nationality: str
    survival_status: str = "1"
    civil_servant: bool = False
    phone: str | None = None
    household_region: str | None = None
    address: str | None = None
    legacy_id_number: str | None = None  # a 15-digit number it was first given as
    warnings: tuple[str, ...] = ()  # accepted, but worth a look (e.g. an unknown county code)


class EnrollmentTerms(BaseModel):
    """Where and how a person is enrolled: the terms shared by new and imported enrollments."""

    enrollment_id: UUID
    insurance_type: str
    region: str
    pooling_region: str
    unit_code: str
    person_type: str


class Enrolled(Event, EnrollmentTerms):
    """A new enrollment: new (11), or transferred in (13/14) with the transfer's id."""

    topic = "person.enrolled"
    change: Literal["11", "13", "14"] = "11"
    rider_of: UUID | None = None
    transfer_id: UUID | None = None
    # Open enrollments of the other scheme it overlaps: accepted, flagged for cleanup.
    cross_scheme_with: tuple[UUID, ...] = ()


class EnrollmentSuspended(Event):
    topic = "person.enrollment_suspended"
    change_type = "22"
    enrollment_id: UUID


class EnrollmentResumed(Event):
    topic = "person.enrollment_resumed"
    change_type = "12"
    enrollment_id: UUID
    unit_code: str | None = None  # resuming with a new employer


class EnrollmentTerminated(Event):
    topic = "person.enrollment_terminated"
    change_type = "21"
    enrollment_id: UUID


class PersonRetired(Event):
    topic = "person.retired"
    change_type = "25"
    person_type: str
    enrollment_ids: tuple[UUID, ...]


class PersonDied(Event):
    topic = "person.died"
    change_type = "21"
    ended_enrollment_ids: tuple[UUID, ...]


class TransferredOut(Event):
    topic = "person.transferred_out"
    transfer_id: UUID
    enrollment_ids: tuple[UUID, ...]  # the base enrollment and its riders
    target_region: str
    direction: str
    within_pool: bool  # 24 统筹范围内转出 when true, else 23
    # The transfer must be completed by this date (working days from acceptance, schedule as data).
    due: date | None = None
    due_provisional: bool = False  # the count crossed into a year without an official schedule

    @property
    def change_code(self) -> str:
        return "24" if self.within_pool else "23"


class PersonTypeChanged(Event):
    topic = "person.person_type_changed"
    change_type = "27"
    enrollment_id: UUID
    person_type: str


class EnrollmentUnitChanged(Event):
    """Staff carried to a successor unit when units merge or split (37)."""

    topic = "person.enrollment_unit_changed"
    change_type = "37"
    enrollment_id: UUID
    unit_code: str


class ContributionRecorded(Event):
    """One month's contribution of an enrollment; `effective` is the first day of that month."""

    topic = "person.contribution_recorded"
    insurance_type: str
    region: str
    unit_code: str
    base: Decimal
    unit_amount: Decimal
    personal_amount: Decimal
    paid_on: date | None = None
    source: str


class FakeEnrollmentRemoved(Event):
    """An enrollment that never existed (虚假参保), removed from the record retroactively: it no
    longer appears on any valid date, as known from this event's system time on."""

    topic = "person.fake_enrollment_removed"
    enrollment_id: UUID


class PersonFrozen(Event):
    """The record is frozen (冻结) pending a check: nothing but an office's unfreeze or correction."""

    topic = "person.frozen"
    change_type = "31"
    note: str


class PersonUnfrozen(Event):
    topic = "person.unfrozen"
    change_type = "32"


class BaseInfoCorrected(Event):
    topic = "person.base_info_corrected"
    change_type = "35"
    changes: dict[str, tuple[str | None, str | None]]  # field → (was, now)
    overrode_lock: str | None = None  # campaign whose unit-channel lock an office overrode


class EnrollmentCorrected(Event):
    """A retroactive correction: `changes` say what the record said and what it says now."""

    topic = "person.enrollment_corrected"
    change_type = "36"
    enrollment_id: UUID
    changes: dict[str, tuple[str | None, str | None]]
    overrode_lock: str | None = None


class IdentityMergedAway(Event):
    """This identity was a wrong or duplicate number; its history now lives at `into`."""

    topic = "person.identity_merged_away"
    into_person_id: UUID
    into_id_number: str


class IdentityAdopted(Event):
    """The history of another identity (a duplicate or wrong number) is adopted here."""

    topic = "person.identity_adopted"
    from_person_id: UUID
    from_id_number: str
    enrollments: tuple[EnrollmentRecord, ...]


class LegacyEnrollmentImported(Event, EnrollmentTerms):
    """A row of a legacy extract, accepted as it was (history), duplicates flagged not refused."""

    topic = "person.legacy_enrollment_imported"
    unit_name: str | None = None
    status: str  # as mapped: 1, 2 or 4
    legacy_status: str  # as it was in the extract (3 has no settled meaning)
    contribution_status: str
    start: date
    end: date | None = None
    recorded_name: str  # the name on the row, which may differ from the registered one
    local_person_number: str | None = None
    source: str
    row: int
    duplicates_of: tuple[UUID, ...] = ()


class EnrollmentRecord(EnrollmentTerms):
    """An enrollment carried whole from one identity to another."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rider_of: UUID | None
    periods: tuple[tuple[date, str, str, str], ...]  # (effective, status, unit, person type)
    imported: bool


IdentityAdopted.model_rebuild()
