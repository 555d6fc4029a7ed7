"""Benchmark: 100,000 queued reminders sent through the Tencent SMS emulator.

    WEIJI_VAR_DIR=/tmp/bench .venv/bin/python bench/messaging.py [--messages 100000]
        [--database sqlite|postgres] [--threads 8] [--batch 500]

A fresh database (SQLite file under $WEIJI_VAR_DIR, or the PostgreSQL database named by
WEIJI_BENCH_PG) gets N residents, each with one open service item due today; the outbox is
planned (``reminders_plan``) and sent (``messages_send``, the real path: claim, provider
SDK call with TC3 signature, record) through the emulator, which runs in its own process
and counts what it accepted. Prints the planning time, messages/s, and checks that exactly
N distinct messages arrived and none twice.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("WEIJI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/weiji_bench_msg")


def _start_emulator() -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "weiji.messaging.emulators.serve", "tencent"],
        stdout=subprocess.PIPE, text=True,
    )
    return proc, json.loads(proc.stdout.readline())


def _emulator_stats(endpoint: str) -> dict:
    with urllib.request.urlopen(f"http://{endpoint}/_emulator/stats", timeout=10) as resp:
        return json.loads(resp.read())


def _fresh_database(kind: str, var: Path) -> str:
    if kind == "postgres":
        import psycopg

        name = PG_URL.rsplit("/", 1)[1]
        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{name}"')
        return PG_URL
    path = var / "bench-messaging.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _seed(n: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from weiji.accounts.models import Role, User
    from weiji.messaging.models import MessageTemplate
    from weiji.orgunits.models import Facility, OrgUnit
    from weiji.registry.models import Person
    from weiji.worklists.models import ServiceItem

    county = OrgUnit.objects.create(code="370303", name="测试区", level="county", path="/370303/")
    town = OrgUnit.objects.create(code="370303001", name="东镇", level="town", parent=county,
                                  path="/370303/370303001/")
    villages = [
        OrgUnit.objects.create(code=f"370303001{i:03d}", name=f"{i}村", level="village",
                               parent=town, path=f"/370303/370303001/370303001{i:03d}/",
                               urban_rural="220")
        for i in range(1, 51)
    ]
    Facility.objects.create(code="F001", name="东镇卫生院", kind="health_center", orgunit=town)
    for i, v in enumerate(villages):
        User.objects.create(username=f"worker{i}", role=Role.VILLAGE_WORKER, orgunit=v,
                            phone=f"139{i:08d}")
    MessageTemplate.objects.create(
        service="*", channel="sms", version=1,
        body="{name}您好，您的{service}服务请于{due_date}前到{place}办理，咨询电话{phone}。回复TD退订",
        provider_template_ids={"tencent": "2100001"},
    )
    today = timezone.localdate()
    birth = today.replace(year=today.year - 70)
    for start in range(0, n, 5000):
        persons = Person.objects.bulk_create([
            Person(local_id=f"B{i:07d}", name=f"居民{i}", sex="2", birth_date=birth,
                   phone=f"13{i:09d}", village=villages[i % len(villages)],
                   residency="registered_present")
            for i in range(start, min(n, start + 5000))
        ])
        if not persons[0].pk:  # backends that do not return ids
            persons = list(Person.objects.filter(
                local_id__in=[p.local_id for p in persons]).order_by("pk"))
        ServiceItem.objects.bulk_create([
            ServiceItem(person_id=p.pk, service="elderly_checkup", due_from=today,
                        due_until=today + timedelta(days=60), status="due",
                        village_id=p.village_id, responsible="F001",
                        responsible_kind="facility")
            for p in persons
        ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    var = Path(os.environ.get("WEIJI_VAR_DIR", "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    emulator, emu_settings = _start_emulator()
    try:
        os.environ.update({
            "DJANGO_SETTINGS_MODULE": "weiji.config.settings",
            "WEIJI_DATABASE_URL": _fresh_database(args.database, var),
            "WEIJI_SMS_PROVIDER": "tencent",
            "WEIJI_TENCENT_SECRET_ID": emu_settings["secret_id"],
            "WEIJI_TENCENT_SECRET_KEY": emu_settings["secret_key"],
            "WEIJI_TENCENT_SMS_SDK_APP_ID": emu_settings["sdk_app_id"],
            "WEIJI_TENCENT_SMS_SIGN_NAME": emu_settings["sign_name"],
            "WEIJI_TENCENT_SMS_ENDPOINT": emu_settings["endpoint"],
            "WEIJI_TENCENT_SMS_SCHEME": "http",
            "WEIJI_TENCENT_SMS_RATE": "0",
            "WEIJI_MESSAGING_QUIET_HOURS": "00:00-00:00", "WEIJI_MESSAGING_SEND_AT": "00:00",
            "WEIJI_MESSAGING_THREADS": str(args.threads),
            "WEIJI_MESSAGING_BATCH": str(args.batch),
            "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
        })
        import django

        django.setup()
        from django.core.management import call_command

        from weiji.messaging.models import Message
        from weiji.messaging.services import messages_send, reminders_plan

        call_command("migrate", interactive=False, verbosity=0)
        t = time.monotonic()
        _seed(args.messages)
        seed_s = time.monotonic() - t
        t = time.monotonic()
        planned = reminders_plan()
        plan_s = time.monotonic() - t
        due = Message.objects.filter(step="window_open", status="queued").count()
        t, cpu = time.monotonic(), time.process_time()
        stats = messages_send()
        send_s, send_cpu = time.monotonic() - t, time.process_time() - cpu
        emu = _emulator_stats(emu_settings["endpoint"])
        sent = Message.objects.filter(step="window_open", status="sent").count()
    finally:
        emulator.terminate()
        emulator.wait()

    n = args.messages
    ok = emu["distinct"] == n and emu["accepted"] == n and emu["duplicates"] == 0 and sent == n
    print(f"database            {args.database}")
    print(f"residents seeded    {n:,} in {seed_s:.1f} s")
    print(f"planned             {planned['created']:,} messages in {plan_s:.1f} s "
          f"({due:,} due now)")
    print(f"sent                {stats.sent:,} in {send_s:.1f} s = {stats.sent / send_s:,.0f} "
          f"messages/s ({args.threads} threads, batches of {args.batch})")
    print(f"sender CPU          {send_cpu:.1f} s = {stats.sent / send_cpu:,.0f} messages per "
          f"CPU-second; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"emulator accepted   {emu['accepted']:,} ({emu['distinct']:,} distinct, "
          f"{emu['duplicates']} duplicated, {emu['signature_failures']} bad signatures)")
    print(f"outbox status sent  {sent:,}")
    print(f"check               {'OK' if ok else 'FAILED'}: exactly {n:,} distinct messages arrived")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
