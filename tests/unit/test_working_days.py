from datetime import date, timedelta

from domain.working_days import add_working_days, is_working_day, transfer_deadline


def test_a_weekend_declared_a_working_day_counts_and_a_weekday_holiday_does_not():
    assert is_working_day(date(2025, 1, 26)) == (True, False)  # Sunday, 调休 for Spring Festival
    assert is_working_day(date(2025, 1, 29)) == (False, False)  # Wednesday, Spring Festival


def test_working_days_skip_the_national_day_holiday():
    deadline = add_working_days(date(2026, 9, 30), 1)
    assert deadline.due > date(2026, 10, 7) and not deadline.provisional
    assert all(not is_working_day(date(2026, 10, 1) + timedelta(days=n))[0] for n in range(3))


def test_a_deadline_that_falls_in_a_year_without_an_official_schedule_is_provisional_not_a_crash():
    deadline = transfer_deadline(date(2026, 12, 15))
    assert deadline.due.year == 2027 and deadline.provisional


def test_a_deadline_within_known_years_is_exact():
    deadline = transfer_deadline(date(2026, 3, 2))
    assert not deadline.provisional and deadline.due == add_working_days(date(2026, 3, 2), 20).due


def test_the_schedule_in_force_is_data():
    assert transfer_deadline(date(2026, 3, 2), "national_2021").due < transfer_deadline(date(2026, 3, 2)).due


def test_next_years_official_schedule_is_accepted_as_data(monkeypatch):
    from domain import working_days

    published = {"years": {"2027": {"holidays": ["2027-01-01"], "working_weekends": ["2027-01-09"]}},
                 "deadlines": working_days._data()["deadlines"]}
    monkeypatch.setattr(working_days, "_data", lambda: published)
    working_days._shipped.cache_clear()
    try:
        assert is_working_day(date(2027, 1, 1)) == (False, False)  # a Friday, New Year's Day
        assert is_working_day(date(2027, 1, 9)) == (True, False)  # a Saturday made a working day
        assert not add_working_days(date(2026, 12, 31), 3).provisional
    finally:
        working_days._shipped.cache_clear()


def test_a_schedule_loaded_by_an_office_makes_a_provisional_deadline_exact(monkeypatch):
    from domain import working_days

    monkeypatch.setattr(working_days, "_LOADED", {})
    # Accepted Monday 2026-12-28, 5 working days: 2027 unknown, so New Year's Day counts as a weekday.
    assert add_working_days(date(2026, 12, 28), 5) == working_days.Deadline(date(2027, 1, 4), provisional=True)
    working_days.register_schedule(2027, [date(2027, 1, 1)], [])
    assert add_working_days(date(2026, 12, 28), 5) == working_days.Deadline(date(2027, 1, 5), provisional=False)
