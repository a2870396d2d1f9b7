"""A person's contribution record (缴费记录) and what it adds up to, on any date as known at any time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from domain.person.contribution_summary import ContributionSummary
from domain.person.state import Contribution
from ledger_api.codes import Coded, coded


@strawberry.type(description="One month paid for one enrollment.")
class ContributionMonth:
    month: date
    insurance_type: Coded
    region: str
    unit_code: str
    base: Decimal
    unit_amount: Decimal
    personal_amount: Decimal
    paid_on: date | None

    @staticmethod
    def of(c: Contribution) -> ContributionMonth:
        return ContributionMonth(month=c.month, insurance_type=coded("insurance_type", c.insurance_type),
                                 region=c.region, unit_code=c.unit_code, base=c.base, unit_amount=c.unit_amount,
                                 personal_amount=c.personal_amount, paid_on=c.paid_on)


@strawberry.type(description="Months paid for one insurance type in one region.")
class MonthsPaid:
    insurance_type: Coded
    region: str
    months: int


@strawberry.type(description="A run of months an employee enrollment was in force with nothing paid (断缴).")
class ContributionGap:
    region: str
    first_month: date
    last_month: date
    months: int
    can_be_paid_up: bool = strawberry.field(description="A gap of up to three months can still be paid up.")


@strawberry.type(description="What the contribution record adds up to on asOf.")
class ContributionSummaryView:
    as_of: date
    months_paid: list[MonthsPaid]
    employee_months: int = strawberry.field(
        description="Distinct months of employee (职工) contributions in every region: what a transfer carries.")
    employee_years: int
    employee_extra_months: int
    gaps: list[ContributionGap]

    @staticmethod
    def of(s: ContributionSummary) -> ContributionSummaryView:
        years, extra = s.employee_years
        return ContributionSummaryView(
            as_of=s.as_of, employee_months=s.employee_months, employee_years=years, employee_extra_months=extra,
            months_paid=[MonthsPaid(insurance_type=coded("insurance_type", t), region=r, months=n)
                         for (t, r), n in sorted(s.months.items())],
            gaps=[ContributionGap(region=g.region, first_month=g.first_month, last_month=g.last_month,
                                  months=g.months, can_be_paid_up=g.can_be_paid_up) for g in s.gaps])
