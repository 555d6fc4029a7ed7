"""Calendar arithmetic used by the rules (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def add_days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def add_months(d: date, n: int) -> date:
    """Add calendar months, clamping to the month's last day (2024-01-31 + 1 = 2024-02-29)."""
    return d + relativedelta(months=n)


def add_years(d: date, n: int) -> date:
    return d + relativedelta(years=n)


def age_years(birth: date, on: date) -> int:
    """Completed years, as relativedelta computes them (born 2024-02-29: 1 year on 2025-02-28)."""
    return relativedelta(on, birth).years


def age_months(birth: date, on: date) -> int:
    rd = relativedelta(on, birth)
    return rd.years * 12 + rd.months


def month_end(d: date) -> date:
    return d + relativedelta(day=31)


def month_start(d: date) -> date:
    return d.replace(day=1)


def quarter_bounds(d: date) -> tuple[date, date]:
    first_month = 3 * ((d.month - 1) // 3) + 1
    start = date(d.year, first_month, 1)
    return start, month_end(add_months(start, 2))
