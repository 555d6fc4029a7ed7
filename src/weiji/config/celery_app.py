"""The Celery app (Celery + Redis when WEIJI_REDIS_URL is set).

``weiji worker`` starts a worker with an embedded beat from this app when Redis is
configured; by hand: ``celery -A weiji.config.celery_app worker -B``. Beat runs the jobs of
``weiji.config.schedule.PERIODIC_JOBS`` (each under the same database lease as the
in-process scheduler); tasks are thin and take ids.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")

app = Celery("weiji")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _beat_schedule() -> dict:
    from weiji.config.schedule import PERIODIC_JOBS

    return {
        name: {"task": "weiji.periodic_job", "schedule": float(spec["every_seconds"]),
               "args": (name,)}
        for name, spec in PERIODIC_JOBS.items()
    }


app.conf.beat_schedule = _beat_schedule()
# Deployments (and test runs) that share one Redis keep apart by queue name.
app.conf.task_default_queue = os.environ.get("WEIJI_CELERY_QUEUE", "weiji")
app.conf.task_acks_late = True  # a killed worker's task is redelivered; sends are idempotent
app.conf.task_reject_on_worker_lost = True
app.conf.worker_prefetch_multiplier = 1
app.conf.broker_connection_retry_on_startup = True


@app.task(name="weiji.periodic_job", ignore_result=True)
def periodic_job(name: str) -> None:
    from weiji.messaging.scheduler import job_run

    job_run(name=name)


@app.task(name="weiji.messaging.send_messages", ignore_result=True)
def send_messages(ids: list[int]) -> None:
    from weiji.messaging.tasks import send_messages_now

    send_messages_now(ids)
