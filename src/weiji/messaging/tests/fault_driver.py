"""Runs in a child process for the fault tests: ``python -m weiji.messaging.tests.fault_driver``.

    setup N        migrate the database of WEIJI_DATABASE_URL, seed N residents with a due item
                   and plan their reminders (due now)
    worker [--db-timeout S] [--celery]
                   run the real ``weiji worker`` (sending job); with --db-timeout the SQLite busy
                   timeout is lowered so that a locked database fails fast
    report         print message counts by status (JSON)
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
    from django.conf import settings

    if "--db-timeout" in argv:
        timeout = float(argv[argv.index("--db-timeout") + 1])
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            db["OPTIONS"]["timeout"] = timeout
        else:
            db["OPTIONS"]["connect_timeout"] = int(max(1, timeout))
            db["CONN_MAX_AGE"] = 0
    import django

    django.setup()
    from django.core.management import call_command

    command = argv[0]
    if command == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        _seed(int(argv[1]))
    elif command == "worker":
        if "--celery" in argv:
            call_command("worker", concurrency=2)
        else:
            call_command("worker", job=["messaging.send"], tick=0.2, every=0.5)
    elif command == "report":
        _report()
    else:
        raise SystemExit(f"unknown command {command}")


def _seed(n: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from weiji.core import testing as f
    from weiji.messaging.models import MessageTemplate
    from weiji.messaging.services import reminders_plan
    from weiji.worklists.models import ServiceItem

    tree = f.make_tree()
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    worker.phone = "13911112222"
    worker.save()
    MessageTemplate.objects.create(
        service="*", channel="sms", version=1, body="{name}您好，请于{due_date}前到{place}办理",
        provider_template_ids={"tencent": "2100001", "aliyun": "SMS_460001"},
    )
    today = timezone.localdate()
    for i in range(n):
        p = f.make_person(village=tree.v1, name=f"居民{i}", phone=f"138{i:08d}")
        ServiceItem.objects.create(
            person=p, service="elderly_checkup", due_from=today,
            due_until=today + timedelta(days=60), status="due", village=tree.v1,
            responsible="F001", responsible_kind="facility",
        )
    reminders_plan()


def _report() -> None:
    from django.db.models import Count

    from weiji.messaging.models import Message, MessageEvent

    counts = dict(Message.objects.filter(step="window_open").values_list("status").annotate(
        n=Count("id")).values_list("status", "n"))
    found = MessageEvent.objects.filter(detail__contains="found at the provider").count()
    resent = MessageEvent.objects.filter(detail__contains="sending again").count()
    print(json.dumps({"status": counts, "found": found, "resent": resent}))


if __name__ == "__main__":
    main(sys.argv[1:])
