"""``weiji worker``: run the periodic jobs (reminders) in the foreground.

Embedded default: the in-process scheduler with database leases. With WEIJI_REDIS_URL:
a Celery worker with embedded beat from ``weiji.config.celery_app``.
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run background jobs: reminders planning, sending, receipts / 运行后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run every job once and exit / 每个任务运行一次后退出")
        parser.add_argument("--job", action="append", default=[],
                            help="only this job (repeatable) / 只运行指定任务")
        parser.add_argument("--tick", type=float, default=1.0)
        parser.add_argument("--every", type=float, default=None,
                            help="run the jobs every N seconds instead of their schedule")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery only")

    def handle(self, *args, **opts):
        from weiji.config.schedule import PERIODIC_JOBS
        from weiji.messaging.scheduler import job_run, run_forever

        unknown = [j for j in opts["job"] if j not in PERIODIC_JOBS]
        if unknown:
            raise CommandError(
                f"未知任务 {', '.join(unknown)}；可用：{', '.join(PERIODIC_JOBS)} / "
                f"unknown job(s) {', '.join(unknown)}; known: {', '.join(PERIODIC_JOBS)}"
            )
        only = set(opts["job"]) or None
        if opts["once"]:
            for name in PERIODIC_JOBS:
                if only is None or name in only:
                    ran = job_run(name=name)
                    self.stdout.write(f"{name}: {'done' if ran else 'locked by another run'}")
            return
        if settings.CELERY_ENABLED:
            from weiji.config.celery_app import app

            self.stdout.write("Celery worker with beat / 使用 Celery")
            app.worker_main(["worker", "-B", "--loglevel=INFO",
                             f"--concurrency={opts['concurrency']}",
                             "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")])
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("in-process scheduler / 进程内调度")
        run_forever(stop=stop, tick=opts["tick"], only=only, every=opts["every"])
