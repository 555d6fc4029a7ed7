from datetime import date, timedelta

import pytest

from weiji.rules.dates import (
    add_months,
    add_years,
    age_months,
    age_years,
    month_end,
    quarter_bounds,
)


@pytest.mark.parametrize("start,months,expected", [
    ("2024-01-31", 1, "2024-02-29"),
    ("2023-01-31", 1, "2023-02-28"),
    ("2024-03-31", -1, "2024-02-29"),
    ("2024-08-31", 3, "2024-11-30"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2025-05-15", 0, "2025-05-15"),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(expected)


@pytest.mark.parametrize("birth,on,years,months", [
    ("2024-02-29", "2025-02-28", 1, 12),
    ("2024-02-29", "2025-02-27", 0, 11),
    ("1960-03-01", "2025-02-28", 64, 779),
    ("1960-03-01", "2025-03-01", 65, 780),
    ("2019-01-31", "2019-02-28", 0, 1),  # relativedelta: month-end to month-end
])
def test_completed_ages(birth, on, years, months):
    b, o = date.fromisoformat(birth), date.fromisoformat(on)
    assert age_years(b, o) == years
    assert age_months(b, o) == months


def test_add_years_leap_day():
    assert add_years(date(2020, 2, 29), 7) == date(2027, 2, 28)


@pytest.mark.parametrize("day,first,last", [
    ("2026-01-01", "2026-01-01", "2026-03-31"),
    ("2026-03-31", "2026-01-01", "2026-03-31"),
    ("2026-04-01", "2026-04-01", "2026-06-30"),
    ("2026-12-01", "2026-10-01", "2026-12-31"),
])
def test_quarter_bounds(day, first, last):
    assert quarter_bounds(date.fromisoformat(day)) == (date.fromisoformat(first), date.fromisoformat(last))


def test_month_end():
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)


def test_same_as_relativedelta_on_random_dates():
    import random

    from dateutil.relativedelta import relativedelta

    rng = random.Random(5)
    start = date(1940, 1, 1).toordinal()
    for _ in range(4000):
        a = date.fromordinal(start + rng.randrange(40000))
        b = date.fromordinal(start + rng.randrange(40000))
        rd = relativedelta(b, a)
        assert age_months(a, b) == rd.years * 12 + rd.months, (a, b)
        assert age_years(a, b) == rd.years, (a, b)
        n = rng.randrange(-100, 100)
        assert add_months(a, n) == a + relativedelta(months=n), (a, n)
        assert add_years(a, n) == a + relativedelta(years=n), (a, n)
    # month ends on both sides
    for a in (date(2024, 1, 31), date(2024, 2, 29), date(2023, 2, 28), date(2024, 3, 31)):
        for days in range(0, 800):
            b = a + timedelta(days=days)
            rd = relativedelta(b, a)
            assert age_months(a, b) == rd.years * 12 + rd.months, (a, b)
            rd = relativedelta(a, b)
            assert age_months(b, a) == rd.years * 12 + rd.months, (b, a)
