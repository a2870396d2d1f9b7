"""Duplicate-enrollment sets and the official cleanup rule for each (seed 001, 三(三)).

A set is two enrollments in force at the same time; it dissolves when either ends or is
suspended. Its overlap runs from the first day both were in force without a break — a
change of person type (退休, a new category) within the same enrollment does not restart
it. Whether a cross-scheme set is "mark only" depends on how long it has lasted, so that is
decided when the set is read (`action`), not stored: "跨制度参保不足一年的…原则上不做清理"
is read in calendar years — an overlap that began on 2019-03-01 has lasted one year on
2020-03-01, not on 2020-02-29 (365 days later); one that began on 29 February completes its
year on 1 March.

The seed's words decide who acts, not what is kept: for employees in two pooling regions
"由最新的参保统筹区经办机构负责确认" — that office confirms with the person, so the ledger
names the office and keeps both records until the office records the cleaning. For
residents the office is the household-registration (户籍地) one, by the person's 户籍 region.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import NamedTuple
from uuid import UUID

from domain.person.state import NORMAL, Enrollment
from domain.regions import province_of
from domain.schemes import EMPLOYEE, RESIDENT, scheme_of
from domain.timeline import Spell
from projections.person_rows import Row, StreamHistory

WITHIN_RESIDENT = "within_resident"
WITHIN_EMPLOYEE = "within_employee"
WITHIN_SAME_POOL = "within_same_pool"
CROSS_SCHEME = "cross_scheme"
CROSS_PROVINCE = "cross_province"
KINDS = {
    WITHIN_RESIDENT: "制度内重复参保（居民医保，跨统筹区）",
    WITHIN_EMPLOYEE: "制度内重复参保（职工医保，跨统筹区）",
    WITHIN_SAME_POOL: "制度内重复参保（同一统筹区）",
    CROSS_SCHEME: "跨制度重复参保（职工医保＋居民医保）",
    CROSS_PROVINCE: "跨省重复参保",
}


def one_year_after(day: date) -> date:
    """The same day a calendar year later; 29 February's year ends with February (on 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def lasted_a_year(since: date, as_of: date) -> bool:
    """Whether an overlap that began on `since` has lasted one calendar year or more on `as_of`."""
    return as_of >= one_year_after(since)


def in_force_since(enrollment: Enrollment) -> date:
    """The first day of the enrollment's current unbroken run in force (正常参保)."""
    since = enrollment.periods[-1].effective
    for period in reversed(enrollment.periods):
        if period.status != NORMAL:
            break
        since = period.effective
    return since


# The duplicate_set table's columns, in the order set_row gives them. The person's ID number and
# name are kept with each set (as person_view has them: both come from the same stream, and every
# event of the person derives its sets again) so that a page of sets is read without a join.
COLUMNS = ("person_id", "kind", "first_enrollment_id", "second_enrollment_id", "first_region", "second_region",
           "first_type", "second_type", "overlap_from", "keep_enrollment_id", "clean_enrollment_id",
           "confirming_region", "id_number", "name")


class Side(NamedTuple):
    """One enrollment of a set: what the rules read of it."""

    enrollment_id: UUID
    insurance_type: str
    region: str
    pooling_region: str
    started: date  # the enrollment's first day
    since: date  # the first day of its current unbroken run in force


def classify(a: Side | Spell, b: Side | Spell) -> str:
    if province_of(a.region) != province_of(b.region):
        return CROSS_PROVINCE
    if scheme_of(a.insurance_type) != scheme_of(b.insurance_type):
        return CROSS_SCHEME
    if a.pooling_region == b.pooling_region:  # the seed's rule is for two 统筹区
        return WITHIN_SAME_POOL
    return WITHIN_RESIDENT if scheme_of(a.insurance_type) == RESIDENT else WITHIN_EMPLOYEE


def set_row(person_id: UUID, id_number: str, name: str, household_region: str | None, a: Side, b: Side) -> Row:
    """A duplicate set as the duplicate_set table holds it (first, second by enrollment id)."""
    a, b = sorted((a, b), key=lambda side: str(side.enrollment_id))
    kind = classify(a, b)
    keep = clean = None
    confirming: str | None = None
    if kind == WITHIN_RESIDENT:
        confirming = household_region  # the 户籍地 office; the person chooses which to keep
    elif kind == WITHIN_EMPLOYEE:  # the most recent enrollment's office confirms with the person
        confirming = max((a, b), key=lambda side: (side.started, str(side.enrollment_id))).pooling_region
    elif kind == WITHIN_SAME_POOL:
        confirming = a.pooling_region
    elif kind == CROSS_SCHEME:
        keep, clean = (a, b) if scheme_of(a.insurance_type) == EMPLOYEE else (b, a)
        confirming = clean.region
    return (person_id, kind, a.enrollment_id, b.enrollment_id, a.region, b.region, a.insurance_type,
            b.insurance_type, max(a.since, b.since), keep and keep.enrollment_id, clean and clean.enrollment_id,
            confirming, id_number, name)


def duplicate_rows(p: StreamHistory) -> list[Row]:
    enrollments = p.state.enrollments
    sides = [Side(s.enrollment_id, s.insurance_type, s.region, s.pooling_region,
                  enrollments[s.enrollment_id].start, in_force_since(enrollments[s.enrollment_id]))
             for s in p.spells_now
             if s.valid_to is None and s.status == NORMAL and scheme_of(s.insurance_type) is not None]
    state = p.state
    return [set_row(p.person_id, state.id_number, state.name, state.household_region, a, b)
            for a, b in combinations(sides, 2)]


MARK_ONLY = "重叠不足一年：不清理，按类型标记"


def action(kind: str, overlap_from: date, as_of: date) -> str:
    """The cleanup rule for a set, as of a date, in the seed's own terms (seed 001 三(三))."""
    if kind == WITHIN_RESIDENT:
        return "户籍地统筹区经办机构与参保人沟通确认后，根据参保人意愿保留其中一个统筹区参保"
    if kind == WITHIN_EMPLOYEE:
        return "由最新的参保统筹区经办机构负责确认，与参保人沟通后报送需清理参保地经办机构办理停止参保手续"
    if kind == WITHIN_SAME_POOL:
        return "同一统筹区内重复：由该统筹区经办机构核实后清理"
    if kind == CROSS_SCHEME:
        if not lasted_a_year(overlap_from, as_of):
            return MARK_ONLY
        return "跨制度参保满一年：与参保人沟通确认，原则上清理居民医保、保留职工医保，由居民医保参保地经办机构负责确认"
    return "跨省重复参保：按国家统一部署处理，先行标记"
