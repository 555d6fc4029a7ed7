"""Benchmark: `weiji due` on a generated district (default 300,000 persons), SQLite and PostgreSQL.

    WEIJI_VAR_DIR=/tmp/bench .venv/bin/python bench/due.py [--persons 300000] [--work DIR]
                                                           [--as-of 2026-03-01] [--no-postgres]

The bundle (`weiji generate --persons N`) and the loaded databases are cached in --work
(default $WEIJI_VAR_DIR/bench-due-N) and reused. For each database it prints the wall time
and peak RSS of the full run (`weiji due --as-of D --out FILE.csv`, a child process), and the
time of one village's list and of one person's evaluation (median and worst of several).
Targets on a 2-core machine: full run ≤ 60 s and ≤ 1.5 GB; one village ≤ 0.5 s; one person ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEIJI = str(Path(sys.executable).with_name("weiji"))
PG_URL = os.environ.get("WEIJI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/weiji_bench_due")
TARGETS = {"full_s": 60.0, "full_rss_mb": 1536.0, "village_s": 0.5, "person_ms": 20.0}

# Runs a command and prints its wall time, peak RSS and CPU time (this wrapper's only child).
_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.monotonic() - t, r.ru_maxrss / 1024, r.ru_utime + r.ru_stime, rc)\n"
)


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "WEIJI_DATABASE_URL": url}


def _weiji(url: str, *args: str) -> str:
    done = subprocess.run([WEIJI, *args], env=_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"weiji {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def _person_count(url: str) -> int:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'weiji.config.settings');"
        "django.setup()\nfrom weiji.registry.models import Person\n"
        "try:\n print(Person.objects.count())\nexcept Exception:\n print(-1)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_env(url), capture_output=True, text=True)
    try:
        return int(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return -1


def prepare(persons: int, work: Path, urls: dict[str, str]) -> Path:
    bundle = work / f"bundle-{persons}"
    if not (bundle / "events.csv").exists():
        t = time.monotonic()
        print(_weiji(urls["SQLite"], "generate", "--persons", str(persons), "--out", str(bundle)).strip())
        print(f"  generated in {time.monotonic() - t:.0f} s", flush=True)
    for name, url in urls.items():
        if _person_count(url) >= persons * 0.9:
            continue
        t = time.monotonic()
        _weiji(url, "load", str(bundle))
        print(f"{name}: loaded {bundle.name} in {time.monotonic() - t:.0f} s", flush=True)
    return bundle


def full_run(url: str, as_of: str, out: Path) -> tuple[float, float, float]:
    cmd = [sys.executable, "-c", _MEASURE, WEIJI, "due", "--as-of", as_of, "--out", str(out)]
    done = subprocess.run(cmd, env=_env(url), capture_output=True, text=True, check=True)
    seconds, rss, cpu, rc = done.stdout.split()
    if rc != "0":
        sys.exit(f"weiji due failed on {url}")
    return float(seconds), float(rss), float(cpu)


# Runs in a child process with the database's URL: times one village and single persons.
_PARTS = """
import os, random, statistics, sys, time
from datetime import date
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weiji.config.settings")
import django
django.setup()
from django.db.models import Count
from weiji.registry.models import Person
from weiji.rules.evaluate import evaluate_person, sort_items
from weiji.worklists.facts import district_from_db, due_items_from_db

as_of = date.fromisoformat(sys.argv[1])
sizes = sorted(Person.objects.values("village_id").annotate(n=Count("id")).values_list("n", "village_id"))
village = sizes[len(sizes) // 2][1]
biggest = sizes[-1][1]
times = []
for code in [village] * 5 + [biggest] * 3:
    t = time.perf_counter()
    n = len(sort_items(due_items_from_db(as_of=as_of, villages=[code])))
    times.append(time.perf_counter() - t)
rng = random.Random(1)
ids = list(Person.objects.filter(merged_into__isnull=True).values_list("local_id", flat=True))
person_times = []
for local_id in rng.sample(ids, 60):
    t = time.perf_counter()
    district = district_from_db(on=as_of, persons=[local_id])
    evaluate_person(district, local_id, as_of)
    person_times.append(time.perf_counter() - t)
print(sizes[len(sizes) // 2][0], statistics.median(times[:5]), sizes[-1][0], max(times[5:]),
      statistics.median(person_times[10:]) * 1000, max(person_times[10:]) * 1000, len(sizes))
"""


def parts(url: str, as_of: str) -> list[float]:
    done = subprocess.run([sys.executable, "-c", _PARTS, as_of], env=_env(url), capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"village/person timing failed:\n{done.stderr[-2000:]}")
    return [float(x) for x in done.stdout.split()]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return f"{os.cpu_count()} CPUs ({model or platform.processor()}){mem}, Python {platform.python_version()}{load}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--as-of", default="2026-03-01")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(os.environ.get("WEIJI_VAR_DIR", "var")) / f"bench-due-{args.persons}"
    work.mkdir(parents=True, exist_ok=True)
    urls = {"SQLite": f"sqlite:///{work.resolve()}/due.sqlite3"}
    if not args.no_postgres:
        urls["PostgreSQL"] = PG_URL
    print(f"machine: {machine()}")
    bundle = prepare(args.persons, work, urls)
    print(f"bundle: {bundle}, as of {args.as_of}")
    ok = True
    for name, url in urls.items():
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        seconds, rss, cpu = full_run(url, args.as_of, work / f"due-{name}.csv")
        rows = sum(1 for _ in open(work / f"due-{name}.csv", encoding="utf-8")) - 1
        v_n, v_s, big_n, big_s, p_med, p_max, villages = parts(url, args.as_of)
        print(f"{name}: full run {seconds:.1f} s (CPU {cpu:.1f} s in weiji; load average "
              f"{load:.1f} before), peak RSS {rss:.0f} MB, {rows} rows; "
              f"one village ({v_n:.0f} persons, median of 5) {v_s:.3f} s, largest village "
              f"({big_n:.0f} persons) {big_s:.3f} s; one person median {p_med:.1f} ms, "
              f"worst {p_max:.1f} ms ({villages:.0f} villages)")
        ok &= (seconds <= TARGETS["full_s"] and rss <= TARGETS["full_rss_mb"]
               and v_s <= TARGETS["village_s"] and p_med <= TARGETS["person_ms"])
    print("targets met" if ok else "targets NOT met (full ≤ 60 s, ≤ 1.5 GB, village ≤ 0.5 s, person ≤ 20 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
