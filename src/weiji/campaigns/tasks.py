"""Periodic jobs of campaigns (entries in ``weiji.config.schedule``)."""

from __future__ import annotations

import logging
from datetime import date

from django.utils import timezone

from weiji.campaigns.exchange import exchange_deliver, previous_month
from weiji.campaigns.models import ExchangeNotice
from weiji.orgunits.models import OrgUnit

logger = logging.getLogger(__name__)


def exchange_due(*, today: date) -> date | None:
    """The month whose lists are still to be delivered on ``today`` (None: all are there)."""
    month = previous_month(today)
    towns = set(OrgUnit.objects.filter(level="town").values_list("code", flat=True))
    have = set(ExchangeNotice.objects.filter(month=month).values_list("town_id", flat=True))
    return month if towns - have else None


def job_exchange() -> None:
    """From the 1st: deliver last month's migrant lists to every town's inbox, once."""
    month = exchange_due(today=timezone.localdate())
    if month is None:
        return
    notices = exchange_deliver(month=month)
    logger.info("migrant exchange %s delivered to %d towns", f"{month:%Y-%m}", len(notices))
