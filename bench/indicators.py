"""Benchmark: every indicator for 12 monthly periods for every unit (issue 5).

    WEIJI_DATABASE_URL=sqlite:////tmp/bench/ind.sqlite3 .venv/bin/python bench/indicators.py
    WEIJI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/weiji_bench .venv/bin/python bench/indicators.py

Fills the database with the standard generated district (``weiji generate --persons N``,
then ``weiji load``) unless it already holds about that many persons, then
runs the production path ``indicator_periods_refresh`` for the 12 months 2026-01 … 2026-12
with the cache bypassed (load the register, build the index, evaluate, roll up village →
zone → town → county, store), and prints the figures. Target: ≤ 30 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
os.environ.setdefault("WEIJI_VAR_DIR", "/tmp/weiji-bench")


def fill(persons: int, seed: int) -> None:
    """The standard generated district: ``weiji generate`` then ``weiji load``."""
    from django.core.management import call_command

    from weiji.records.bundle.loader import load_bundle

    bundle = Path(os.environ["WEIJI_VAR_DIR"]) / f"bundle-{persons}-{seed}"
    started = time.monotonic()
    if not (bundle / "events.csv").exists():
        call_command("generate", persons=persons, out=bundle, seed=seed)
    load_bundle(bundle)
    print(f"generated and loaded the district in {time.monotonic() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from weiji.indicators.selectors import active_indicators
    from weiji.indicators.services import LAST_TIMINGS, indicator_periods_refresh
    from weiji.orgunits.models import OrgUnit
    from weiji.records.bundle.database import database_prepare
    from weiji.records.models import Event
    from weiji.registry.models import Person
    from weiji.rules.dates import add_months, month_end

    os.makedirs(os.environ["WEIJI_VAR_DIR"], exist_ok=True)
    database_prepare()
    if args.refill or abs(Person.objects.count() - args.persons) > args.persons // 100:
        fill(args.persons, args.seed)
    persons, events = Person.objects.count(), Event.objects.count()
    months = [add_months(date(2026, 1, 1), i) for i in range(12)]
    periods = [(m, month_end(m)) for m in months]
    indicators = active_indicators()

    print(f"database: {connection.vendor}; persons {persons}, events {events}, "
          f"indicators {len(indicators)}, units {OrgUnit.objects.count()}")
    started, cpu_before = time.monotonic(), os.times()
    result = indicator_periods_refresh(periods=periods, indicators=indicators, force=True)
    total = time.monotonic() - started
    cpu_after = os.times()
    cpu = sum(a - b for a, b in zip(cpu_after[:4], cpu_before[:4], strict=True))
    evaluate = sum(p.seconds for p in result.values())
    values = sum(len(cells) for p in result.values() for cells in p.counts.values())
    t = LAST_TIMINGS
    print(f"  12 months, all units (production path, cache bypassed): {total:.1f} s wall, "
          f"{cpu:.1f} s CPU incl. workers (load average now {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores)")
    print(f"    fingerprints {total - sum(t[k] for k in ('load', 'index', 'evaluate', 'store')):.1f} s, "
          f"read register {t['load']:.1f} s ({t['events_read']:.0f} events needed), "
          f"index {t['index']:.1f} s, evaluate + roll-up {t['evaluate']:.1f} s "
          f"({evaluate / 12:.1f} s a month), store {t['store']:.1f} s "
          f"({values} cached values)")
    print(f"    CPU: read register {t['cpu_load']:.1f} s, index {t['cpu_index']:.1f} s, "
          f"evaluate + roll-up {t['cpu_evaluate']:.1f} s (workers included), "
          f"store {t['cpu_store']:.1f} s")
    started = time.monotonic()
    indicator_periods_refresh(periods=periods, indicators=indicators)
    print(f"  again with a warm cache: {time.monotonic() - started:.2f} s")
    print(f"result: {'PASS' if total <= 30 else 'OVER'} (target ≤ 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
