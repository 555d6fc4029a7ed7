"""Bundle load benchmark: rows/s per file and peak memory, on SQLite and PostgreSQL.

    .venv/bin/python bench/load.py [--persons 300000] [--seed 1] [--cache DIR]
                                   [--pg-url postgresql://postgres@127.0.0.1:5432/weiji_bench_load]
                                   [--skip-sqlite] [--skip-postgres]

Generates (or reuses) a synthetic bundle under the cache folder, then loads it into a
fresh SQLite database and a fresh PostgreSQL database, each in its own process, and
prints per file rows/s, event rows/s, total seconds and the loading process's peak RSS.
Migrations are timed apart from the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(url: str, bundle: str) -> None:
    """Run inside the measured process: migrate, load, print timings as JSON."""
    import resource

    os.environ["WEIJI_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
    import django

    django.setup()
    from django.db import connection

    from weiji.records.bundle.database import database_prepare
    from weiji.records.bundle.loader import load_bundle

    started = time.monotonic()
    database_prepare()
    migrated = time.monotonic()
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

    def clocks() -> tuple[float, float, float]:
        return time.monotonic(), time.process_time(), backend_cpu(backend)

    marks: list[tuple[float, float, float]] = []
    first = clocks()
    report = load_bundle(Path(bundle), progress=lambda line: marks.append(clocks()))
    files, previous = {}, first
    for (name, file_report), mark in zip(report.files.items(), marks, strict=True):
        files[name] = {"read": file_report.read, "loaded": file_report.loaded,
                       "rejected": file_report.rejected, "seconds": mark[0] - previous[0],
                       "cpu": mark[1] - previous[1], "db_cpu": mark[2] - previous[2]}
        previous = mark
    previous = previous[0]
    print(json.dumps({
        "migrate_seconds": migrated - started,
        "load_seconds": previous - migrated,
        "files": files,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_seconds": (resource.getrusage(resource.RUSAGE_SELF).ru_utime
                        + resource.getrusage(resource.RUSAGE_SELF).ru_stime),
    }))


def backend_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a PostgreSQL backend on this machine (0 without one)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")))
    except OSError:
        mem_kb = 0
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")


def run(label: str, url: str, bundle: Path) -> dict:
    env = {**os.environ, "WEIJI_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(bundle)],
        env=env, capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{label}: the load failed\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\n{label}: load {result['load_seconds']:.1f} s "
          f"(+ migrate {result['migrate_seconds']:.1f} s), peak RSS {result['max_rss_mb']:.0f} MB, "
          f"loader CPU {result['cpu_seconds']:.1f} s")
    for name, f in result["files"].items():
        rate = f["read"] / f["seconds"] if f["seconds"] else 0
        busiest = max(f["cpu"], f["db_cpu"])
        per_cpu = f["read"] / busiest if busiest else 0
        print(f"  {name:15} rows {f['read']:>9,}  rejected {f['rejected']:>4}  "
              f"{f['seconds']:7.1f} s  {rate:>10,.0f} rows/s   "
              f"CPU loader {f['cpu']:6.1f} s, database {f['db_cpu']:6.1f} s "
              f"→ {per_cpu:>9,.0f} rows per busiest-CPU second")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=2, metavar=("URL", "BUNDLE"), help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/weiji_bench_load")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
    os.environ.setdefault("WEIJI_VAR_DIR", str(args.cache))
    bundle = args.cache / f"district-{args.persons}-{args.seed}"
    if not (bundle / "events.csv").exists():
        import django

        django.setup()
        from weiji.records.bundle.generate import district_generate

        started = time.monotonic()
        summary = district_generate(persons=args.persons, out=bundle, seed=args.seed)
        print(f"generated {summary.persons:,} persons, {summary.events:,} events "
              f"in {time.monotonic() - started:.0f} s → {bundle}")
    size = sum(p.stat().st_size for p in bundle.glob("*.csv")) / 1024 / 1024
    print(f"bundle {bundle} ({size:.0f} MB)")
    print(f"machine: {machine()}")
    results = {}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="weiji-bench-") as tmp:
            results["sqlite"] = run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", bundle)
    if not args.skip_postgres:
        import psycopg
        from psycopg import sql

        name = args.pg_url.rsplit("/", 1)[1].split("?")[0]
        admin_url = args.pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        results["postgresql"] = run("PostgreSQL", args.pg_url, bundle)
    for label, result in results.items():
        events = result["files"].get("events.csv")
        if events:
            print(f"{label}: events {events['read'] / events['seconds']:,.0f} rows/s, "
                  f"total {result['load_seconds']:.1f} s, peak RSS {result['max_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
