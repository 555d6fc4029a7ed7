"""The in-process scheduler: runs due jobs of ``weiji.config.schedule.PERIODIC_JOBS``.

Used by ``weiji worker`` (foreground) and ``weiji serve`` (a daemon thread started by
:func:`start_background`) on the embedded default. Every run takes a database lease in
``JobLock`` first, so the same job never runs twice at once, even with several processes;
a crashed run's lease simply expires. When WEIJI_REDIS_URL is set Celery beat runs the
same jobs instead (``weiji.config.celery_app``) and the in-process scheduler stays off.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import timedelta

import psutil
from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from weiji.messaging.models import JobLock

log = logging.getLogger(__name__)
_started = threading.Event()


def _jobs() -> dict[str, dict]:
    from weiji.config.schedule import PERIODIC_JOBS

    return PERIODIC_JOBS


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _owner_dead(owner: str) -> bool:
    """Whether a lease's owner is a process of this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and not psutil.pid_exists(int(pid))


def job_lock_acquire(*, name: str, owner: str, ttl_seconds: int) -> bool:
    """Take the job's lease if it is free, expired, or held by a dead local process."""
    now = timezone.now()
    try:
        with transaction.atomic():
            JobLock.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by another process at the same time
    # Our own lease is free to us: one owner (host:pid:thread) runs its jobs one at a time,
    # so a lease it still holds is one it could not release (the database was away).
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now) | Q(owner=owner)
    holder = JobLock.objects.filter(name=name).values_list("owner", flat=True).first() or ""
    if holder and _owner_dead(holder):
        free |= Q(owner=holder)
    with transaction.atomic():
        taken = JobLock.objects.filter(free, name=name).update(
            owner=owner, locked_until=now + timedelta(seconds=ttl_seconds),
            last_started_at=now)
    return taken == 1


def job_lock_release(*, name: str, owner: str, error: str = "") -> None:
    with transaction.atomic():
        JobLock.objects.filter(name=name, owner=owner).update(
            locked_until=None, last_finished_at=timezone.now(), last_error=error[:4000])


def job_run(*, name: str, owner: str | None = None) -> bool:
    """Run one job now under its lease. Returns False if another run holds the lease."""
    spec = _jobs()[name]
    owner = owner or owner_id()
    if not job_lock_acquire(name=name, owner=owner,
                            ttl_seconds=int(spec.get("timeout_seconds", 600))):
        return False
    error = ""
    try:
        import_string(spec["func"])()
    except Exception:
        error = traceback.format_exc()
        log.exception("periodic job %s failed", name)
    finally:
        try:
            job_lock_release(name=name, owner=owner, error=error)
        except DatabaseError:
            log.exception("could not release the lease of %s (it will expire)", name)
    return True


def jobs_due(*, now=None, every: float | None = None) -> list[str]:
    """Jobs whose interval (or ``every`` seconds, when given) has passed since their last start."""
    now = now or timezone.now()
    last = dict(JobLock.objects.values_list("name", "last_started_at"))
    due = []
    for name, spec in _jobs().items():
        started = last.get(name)
        interval = spec["every_seconds"] if every is None else every
        if started is None or (now - started).total_seconds() >= interval:
            due.append(name)
    return due


def run_forever(*, stop: threading.Event | None = None, tick: float = 1.0,
                only: set[str] | None = None, every: float | None = None) -> None:
    """Run due jobs until ``stop`` is set; survives the database going away for a while."""
    stop = stop or threading.Event()
    owner = owner_id()
    while not stop.is_set():
        try:
            close_old_connections()
            for name in jobs_due(every=every):
                if only is None or name in only:
                    job_run(name=name, owner=owner)
        except DatabaseError:
            log.warning("database unavailable; the scheduler retries", exc_info=True)
            try:
                from django.db import connection

                connection.close()
            except DatabaseError:
                pass
        stop.wait(tick)


def start_background() -> threading.Thread | None:
    """Start the scheduler in a daemon thread (``weiji serve``); not when Celery runs it."""
    if settings.CELERY_ENABLED or _started.is_set():
        return None
    _started.set()
    thread = threading.Thread(target=run_forever, name="weiji-scheduler", daemon=True)
    thread.start()
    return thread
