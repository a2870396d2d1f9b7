"""The 台账 summary per accepting office: received, completed, in time, overdue, stage averages."""

from __future__ import annotations

from datetime import date

from domain.working_days import Deadline
from projections.request_queries import office_summary


def row(office, stage, applied, accepted, reviewed=None, completed=None, due=None, overdue=False):
    return {"accepted_by": office, "stage": stage, "applied_on": applied, "accepted_on": accepted,
            "reviewed_on": reviewed, "completed_on": completed, "deadline": due and Deadline(due, False),
            "overdue": overdue}


def test_each_office_counts_what_it_accepted_and_how_long_each_stage_took_in_working_days():
    rows = [
        # Friday 2026-12-04 filed, accepted Monday 12-07 (1 working day), reviewed 12-09 (2), done 12-10 (1).
        row("350102", "completed", date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10),
            due=date(2026, 12, 14)),
        # done a day late
        row("350102", "completed", date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 15),
            due=date(2026, 12, 14)),
        row("350102", "accepted", date(2026, 12, 1), date(2026, 12, 1), due=date(2026, 12, 8), overdue=True),
        row(None, "completed", date(2026, 12, 7), date(2026, 12, 7), None, date(2026, 12, 7), due=date(2026, 12, 7)),
        row(None, "applied", date(2026, 12, 7), None),  # not accepted by anyone yet: in nobody's line
    ]
    gulou, online = office_summary(rows)
    assert (gulou.office, gulou.received, gulou.completed, gulou.in_time, gulou.overdue) == ("350102", 3, 2, 1, 1)
    assert gulou.average("受理") == (1 + 0 + 0) / 3
    assert gulou.average("审核") == (2 + 1) / 2
    assert gulou.average("办结") == (1 + 5) / 2
    assert (online.office, online.received, online.completed, online.in_time) == ("网上", 1, 1, 1)
