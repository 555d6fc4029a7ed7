"""Benchmark: a generated register against a source of the same size (default 300,000 each).

    WEIJI_VAR_DIR=/tmp/bench .venv/bin/python bench/reconcile.py [--persons 300000]

Step 1 (its own process) generates the register with known truth, loads it into a fresh
database and writes the source CSV. Step 2 runs `weiji reconcile SOURCE FILE --out DIR` in
a child process and measures its wall time and peak RSS. Step 3 prints precision and
recall of the auto-links and of every discrepancy list beside the time.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S = 60.0
RSS_LIMIT_MB = 2048


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
    import django

    django.setup()


def prepare(persons: int, work: Path) -> None:
    _django()
    from weiji.reconcile.testdata import dataset_load, generate, write_source_csv
    from weiji.records.bundle.database import database_prepare

    database_prepare()  # creates a missing PostgreSQL database, then migrates
    t = time.monotonic()
    ds = generate(persons=persons, seed=2026)
    dataset_load(ds)
    write_source_csv(ds.sources["population_register"], work / "wis.csv")
    ds.sources = {}
    (work / "dataset.pickle").write_bytes(pickle.dumps(ds))
    from django.db import connection

    if connection.vendor == "sqlite":  # fold the WAL into the file so that it can be copied
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(f"prepared: {len(ds.persons)} persons loaded, source written in {time.monotonic() - t:.1f}s", flush=True)


def figures(work: Path) -> str:
    _django()
    from weiji.reconcile.models import Source
    from weiji.reconcile.testdata import evaluate, format_figures

    ds = pickle.loads((work / "dataset.pickle").read_bytes())
    return format_figures(evaluate(ds, "population_register", Source.objects.get(code="wis")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--reuse", metavar="DIR",
                        help="time again on the SQLite register prepared by an earlier run in DIR")
    parser.add_argument("--step", choices=["prepare", "figures"], help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.persons, Path(args.work))
        return 0
    if args.step == "figures":
        print(figures(Path(args.work)))
        return 0

    work = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="weiji-bench-reconcile-"))
    env = dict(os.environ)
    if args.reuse:
        env.pop("WEIJI_DATABASE_URL", None)
        shutil.copyfile(work / "prepared.sqlite3", work / "bench.sqlite3")
        shutil.rmtree(work / "lists", ignore_errors=True)
    if not env.get("WEIJI_DATABASE_URL"):
        env["WEIJI_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    env.setdefault("WEIJI_VAR_DIR", str(work))
    me = [sys.executable, __file__, "--work", str(work), "--persons", str(args.persons)]
    if not args.reuse:
        subprocess.run([*me, "--step", "prepare"], env=env, check=True)
        if env["WEIJI_DATABASE_URL"].startswith("sqlite"):
            shutil.copyfile(work / "bench.sqlite3", work / "prepared.sqlite3")

    weiji = [sys.executable, "-m", "weiji", "reconcile", "wis", str(work / "wis.csv"),
             "--type", "population_register", "--name", "全员人口信息", "--out", str(work / "lists")]
    log = work / "reconcile.log"
    t = time.monotonic()
    with log.open("w") as fh:
        child = subprocess.Popen(weiji, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.monotonic() - t
    rss_mb = usage.ru_maxrss / 1024  # this child only (Linux reports KiB)
    cpu = usage.ru_utime + usage.ru_stime
    output = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        print(output)
        return 1
    print(output.rstrip())
    quality = subprocess.run([*me, "--step", "figures"], env=env, capture_output=True, text=True, check=True)
    db = "PostgreSQL" if env["WEIJI_DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"\nreconcile benchmark: {args.persons:,} persons × {args.persons:,}-record source ({db})")
    print(f"wall time {elapsed:.1f} s (limit {TIME_LIMIT_S:.0f} s), CPU time {cpu:.1f} s, "
          f"peak RSS {rss_mb:.0f} MB (limit {RSS_LIMIT_MB} MB), load average {os.getloadavg()[0]:.1f}")
    print(quality.stdout.rstrip())
    if (work / "prepared.sqlite3").exists():
        print(f"(prepared data kept in {work}; time again with --reuse {work})")
    ok = elapsed <= TIME_LIMIT_S and rss_mb <= RSS_LIMIT_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
