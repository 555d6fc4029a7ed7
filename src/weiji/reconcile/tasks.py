"""Periodic job of reconcile (entry ``reconcile.compare`` in ``weiji.config.schedule``)."""

from __future__ import annotations

import logging

from django.db.models import Max

from weiji.reconcile.models import Run, Source
from weiji.reconcile.services import reconcile_run

logger = logging.getLogger(__name__)


def sources_with_new_records() -> list[Source]:
    """Sources that received an import or an API push after their last comparison run."""
    last_run = dict(Run.objects.values("source").annotate(at=Max("started_at")).values_list("source", "at"))
    out = []
    for source in Source.objects.annotate(last_import=Max("snapshots__imported_at")).order_by("code"):
        if source.last_import and (source.pk not in last_run or source.last_import > last_run[source.pk]):
            out.append(source)
    return out


def job_compare() -> None:
    """Compare every source whose records changed since its last run (API pushes, uploads)."""
    for source in sources_with_new_records():
        run = reconcile_run(source=source, user=None)
        logger.info("reconcile %s: %s", source.code, run.counts)
