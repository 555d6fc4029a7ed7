"""Periodic jobs of the service lists (entries in ``weiji.config.schedule``)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.utils import timezone

from weiji.worklists.models import ChangeReason
from weiji.worklists.services import ApplyResult, servicelist_generate, servicelist_snapshot

logger = logging.getLogger(__name__)
_LOCK_KEY = 0x5745494A  # "WEIJ": one advisory lock for list generation


@contextmanager
def generation_lock():
    """Hold a cluster-wide lock on PostgreSQL so runs never overlap (SQLite has one writer)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        got = cur.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def servicelist_run(*, as_of: date, snapshot: bool, villages: list[str] | None = None,
                    reason: str = ChangeReason.RULE) -> ApplyResult | None:
    """Generate (and on the 1st freeze) the lists; None when another run holds the lock."""
    with generation_lock() as got:
        if not got:
            logger.warning("service list generation skipped: another run is in progress")
            return None
        result = servicelist_generate(as_of=as_of, villages=villages, reason=reason)
        if snapshot:
            servicelist_snapshot(as_of=as_of)
        return result


def servicelist_monthly() -> None:
    """On the 1st: the district's list for the month, kept as the frozen monthly snapshot."""
    today = timezone.localdate()
    servicelist_run(as_of=today, snapshot=today.day == 1, reason=ChangeReason.MONTHLY)


def servicelist_daily() -> None:
    """Every night: statuses (due → overdue), expiries and rolling windows move on."""
    servicelist_run(as_of=timezone.localdate(), snapshot=False)
