"""Periodic jobs of the service lists (entries in ``weiji.config.schedule``)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.utils import timezone

from weiji.worklists.catalogue import catalogue_current
from weiji.worklists.models import ChangeReason, GenerationRun, Snapshot
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
        version = catalogue_current().version
        last = (GenerationRun.objects.filter(villages=[], finished_at__isnull=False)
                .order_by("-finished_at").first())
        if last is not None and last.result.get("catalogue_version", version) != version:
            reason = ChangeReason.CATALOGUE  # the first run under a new catalogue version
        run = GenerationRun.objects.create(as_of=as_of, villages=sorted(villages or []),
                                           snapshot=snapshot)
        result = servicelist_generate(as_of=as_of, villages=villages, reason=reason)
        summary = {**result.as_dict(), "catalogue_version": version, "reason": str(reason)}
        if snapshot:
            summary["snapshot_items"] = servicelist_snapshot(as_of=as_of).item_count
        run.finished_at, run.result = timezone.now(), summary
        run.save(update_fields=["finished_at", "result"])
        return result


def job_generate() -> None:
    """Periodic job (hourly): once a day regenerate the district's list as of today, so
    statuses (due → overdue), expiries and rolling windows move on; on the 1st of the month
    that run is kept as the month's frozen snapshot."""
    today = timezone.localdate()
    first = today.day == 1
    ran = GenerationRun.objects.filter(as_of=today, villages=[], finished_at__isnull=False)
    if ran.exists() and (not first or Snapshot.objects.filter(month=today).exists()):
        return
    servicelist_run(as_of=today, snapshot=first,
                    reason=ChangeReason.MONTHLY if first else ChangeReason.RULE)
