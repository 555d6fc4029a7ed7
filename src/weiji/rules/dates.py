"""Calendar arithmetic used by the rules (pure).

Months and years are added the way ``dateutil.relativedelta`` adds them (clamped to the
month's last day) and ages are completed years/months as relativedelta computes them; these
are plain integer versions of the same arithmetic, because they run for every person on
every list (tests check them against relativedelta).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return monthrange(year, 2)[1]
    return _MONTH_DAYS[month - 1]


def add_days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def add_months(d: date, n: int) -> date:
    """Add calendar months, clamping to the month's last day (2024-01-31 + 1 = 2024-02-29)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    month = month0 + 1
    day = d.day
    if day > 28:
        day = min(day, _days_in_month(year, month))
    return date(year, month, day)


def add_years(d: date, n: int) -> date:
    return add_months(d, 12 * n)


def age_months(birth: date, on: date) -> int:
    """Completed months: the most M with birth + M months ≤ on (relativedelta's months)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if months > 0 and add_months(birth, months) > on:
        months -= 1
    elif months < 0 and add_months(birth, months) < on:
        months += 1
    elif months == 0:
        return 0
    return months


def age_years(birth: date, on: date) -> int:
    """Completed years, as relativedelta computes them (born 2024-02-29: 1 year on 2025-02-28)."""
    months = age_months(birth, on)
    return months // 12 if months >= 0 else -((-months) // 12)


def month_end(d: date) -> date:
    return date(d.year, d.month, _days_in_month(d.year, d.month))


def month_start(d: date) -> date:
    return d.replace(day=1)


def quarter_bounds(d: date) -> tuple[date, date]:
    first_month = 3 * ((d.month - 1) // 3) + 1
    start = date(d.year, first_month, 1)
    return start, month_end(add_months(start, 2))
