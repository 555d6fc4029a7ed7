"""Periodic jobs of the indicators app (thin: compute dates, call a service)."""

from __future__ import annotations

from datetime import date

from weiji.indicators.services import indicator_periods_refresh
from weiji.rules.dates import add_months, month_end

WARM_MONTHS = 12


def recent_months(*, today: date, months: int = WARM_MONTHS) -> list[tuple[date, date]]:
    """(first, last day) of the current month and the ``months`` before it, oldest first."""
    start = today.replace(day=1)
    firsts = [add_months(start, -k) for k in range(months, -1, -1)]
    return [(first, month_end(first)) for first in firsts]


def job_refresh() -> None:
    """Keep the monthly indicator cache warm, so dashboards open without a cold computation;
    only months whose records changed are recomputed."""
    indicator_periods_refresh(periods=recent_months(today=date.today()))
