"""Periodic jobs and thin tasks (they take ids, load, call a service).

The jobs are listed in ``weiji.config.schedule.PERIODIC_JOBS``. On the embedded default
the in-process scheduler runs them; with Celery (WEIJI_REDIS_URL) beat runs them and
``job_send`` hands due message ids to workers in chunks (``send_messages``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from weiji.messaging.models import Message, MessageStatus
from weiji.messaging.services import (
    SendStats,
    messages_recover,
    messages_send,
    receipts_poll,
    reminders_plan,
)

log = logging.getLogger(__name__)


def job_plan() -> dict:
    """Plan service reminders, then the appointment reminders of running campaigns."""
    from weiji.campaigns.services import campaign_reminders_plan_running

    counts = reminders_plan()
    counts["campaigns"] = campaign_reminders_plan_running()
    return counts


def job_send() -> SendStats | int:
    """Send what is due: inline, or as Celery tasks of up to WEIJI_MESSAGING_BATCH ids."""
    if not settings.CELERY_ENABLED:
        return messages_send()
    messages_recover()
    from weiji.config.celery_app import send_messages

    ids = list(Message.objects.filter(
        status=MessageStatus.QUEUED, next_attempt_at__lte=timezone.now(),
    ).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:50_000])
    size = settings.WEIJI_MESSAGING_BATCH
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        transaction.on_commit(lambda chunk=chunk: send_messages.delay(chunk))
    return len(ids)


def job_receipts() -> int:
    return receipts_poll()


def send_messages_now(ids: list[int]) -> SendStats:
    """The body of the Celery task: send these messages if they are still due."""
    return messages_send(ids=[int(i) for i in ids], recover=False)
