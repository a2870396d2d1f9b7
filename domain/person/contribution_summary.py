"""What a person's contribution record adds up to on a date (issue 18): months paid per scheme and
region, employee contribution time across regions (what a transfer carries), and the gaps (断缴)
in an employee enrollment, with whether each can still be paid up (a gap of up to three months
can; domain.md §4)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from domain.dates import month_after
from domain.person.contributions import in_force_during
from domain.person.state import Person
from domain.schemes import EMPLOYEE, scheme_of

PAY_UP_MONTHS = 3


@dataclass(frozen=True)
class Gap:
    region: str
    first_month: date
    last_month: date
    months: int

    @property
    def can_be_paid_up(self) -> bool:
        return self.months <= PAY_UP_MONTHS


@dataclass(frozen=True)
class ContributionSummary:
    as_of: date
    months: dict[tuple[str, str], int]  # (insurance type, region) → months paid
    employee_months: int  # distinct months of 职工 contributions, in every region
    gaps: tuple[Gap, ...]

    @property
    def employee_years(self) -> tuple[int, int]:
        """(years, months) of employee contribution time, as a transfer certificate states it."""
        return divmod(self.employee_months, 12)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last` (both first days), inclusive."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_after(month)
    return months


def summarise(person: Person, as_of: date) -> ContributionSummary:
    paid = {key: c for key, c in person.contributions.items() if c.month <= as_of}
    months: dict[tuple[str, str], int] = {}
    for _, insurance_type, region in paid:
        months[(insurance_type, region)] = months.get((insurance_type, region), 0) + 1
    employee = {month for month, insurance_type, _ in paid if scheme_of(insurance_type) == EMPLOYEE}
    return ContributionSummary(as_of, months, len(employee), tuple(employee_gaps(person, paid, as_of)))


def employee_gaps(person: Person, paid: Collection[tuple[date, str, str]], as_of: date) -> list[Gap]:
    """Months an employee enrollment was in force, after its first paid month and before `as_of`'s
    month, with nothing paid — grouped into runs."""
    gaps = []
    last_full_month = date(as_of.year, as_of.month, 1)
    for enrollment in person.enrollments.values():
        if scheme_of(enrollment.insurance_type) != EMPLOYEE:
            continue
        key = (enrollment.insurance_type, enrollment.region)
        recorded = {m for m, t, r in paid if (t, r) == key}
        if not recorded:
            continue
        run: list[date] = []
        for month in months_between(min(recorded), last_full_month):
            missing = month not in recorded and month < last_full_month and \
                in_force_during(enrollment, month, month_after(month))
            if missing:
                run.append(month)
            elif run:
                gaps.append(Gap(enrollment.region, run[0], run[-1], len(run)))
                run = []
        if run:
            gaps.append(Gap(enrollment.region, run[0], run[-1], len(run)))
    return sorted(gaps, key=lambda g: (g.first_month, g.region))
