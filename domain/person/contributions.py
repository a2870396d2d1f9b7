"""Contribution records (缴费记录): one month of one enrollment, as the tax authority's file,
a legacy extract or an office reports it. They are what a 参保凭证 lists and what a transfer
carries (employee contribution years add up across regions)."""

from __future__ import annotations

from datetime import date

from domain.codes import table
from domain.command import Context
from domain.dates import month_after
from domain.errors import refuse
from domain.event import Event
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.state import NORMAL, Enrollment, Person
from domain.regions import validate_region
from domain.validation import Checks, required_text


def in_force_during(enrollment: Enrollment, start: date, end: date) -> bool:
    """Whether the enrollment was in force (正常参保) on any day of [start, end)."""
    return meets(in_force_spans(enrollment), start, end)


def meets(spans: list[tuple[date, date]], start: date, end: date) -> bool:
    """Whether any of the [since, until) spans shares a day with [start, end)."""
    for since, until in spans:  # (a loop, not any(): asked of every row of a contribution file)
        if since < end and until > start:
            return True
    return False


def in_force_spans(enrollment: Enrollment) -> list[tuple[date, date]]:
    """The [since, until) spans in which the enrollment was in force (正常参保)."""
    bounds = [p.effective for p in enrollment.periods[1:]] + [date.max]
    return [(p.effective, until) for p, until in zip(enrollment.periods, bounds, strict=True) if p.status == NORMAL]


def spans_enrolled(person: Person, insurance_type: str, region: str) -> list[tuple[date, date]]:
    """Every span in which an enrollment of that type in that region was in force."""
    return [span for e in person.enrollments.values() if e.insurance_type == insurance_type and e.region == region
            for span in in_force_spans(e)]


def enrolled_in(person: Person, insurance_type: str, region: str, month: date) -> bool:
    """Whether an enrollment of that type in that region was in force in the month."""
    return meets(spans_enrolled(person, insurance_type, region), month, month_after(month))


def decide_contribution(c: cmd.RecordContribution, person: Person, ctx: Context) -> list[Event]:
    checks = Checks()
    checks.run(table("insurance_type").require, c.insurance_type, "insurance_type")
    checks.run(validate_region, c.region)
    checks.run(required_text, c.unit_code, "unit_code")
    checks.done()
    month = c.effective
    if month.day != 1:
        raise refuse("effective_date", "contribution.month_start",
                     f"a contribution is for a month: give its first day ({month:%Y-%m}-01), not {month}")
    if month > ctx.today:
        raise refuse("effective_date", "contribution.future_month", f"{month:%Y-%m} has not begun")
    if not enrolled_in(person, c.insurance_type, c.region, month):
        raise refuse("insurance_type", "contribution.not_enrolled",
                     f"no {c.insurance_type} enrollment in {c.region} was in force in {month:%Y-%m}")
    if (month, c.insurance_type, c.region) in person.contributions:
        raise refuse("effective_date", "contribution.already_recorded",
                     f"{month:%Y-%m} of {c.insurance_type} in {c.region} is recorded already; correct it instead")
    return [ev.ContributionRecorded(
        effective=month, insurance_type=c.insurance_type, region=c.region, unit_code=c.unit_code.strip().upper(),
        base=c.base, unit_amount=c.unit_amount, personal_amount=c.personal_amount, paid_on=c.paid_on,
        source=c.source,
    )]
