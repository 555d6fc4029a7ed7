"""The periodic indicator refresh warms the cache month by month."""

from __future__ import annotations

from datetime import date

import pytest

from weiji.indicators.models import IndicatorPeriod
from weiji.indicators.tasks import job_refresh, recent_months


def test_recent_months_cover_the_current_month_and_twelve_before():
    months = recent_months(today=date(2026, 3, 31))
    assert months[0] == (date(2025, 3, 1), date(2025, 3, 31))
    assert months[-1] == (date(2026, 3, 1), date(2026, 3, 31))
    assert (date(2026, 2, 1), date(2026, 2, 28)) in months and len(months) == 13


@pytest.mark.django_db
def test_job_refresh_caches_every_recent_month():
    job_refresh()
    cached = set(IndicatorPeriod.objects.values_list("period_start", "period_end"))
    assert set(recent_months(today=date.today())) <= cached
