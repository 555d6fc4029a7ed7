"""Run the product and the reference on a generated bundle and compare with compare.py.

    python -m acceptance.ref_ind_run SEED [SEED ...] [--work DIR] [--keep]

For each seed: generate a bundle (ref_ind_bundle), `weiji load` it into a fresh SQLite
database, run `weiji indicators` for the plan's periods, `weiji campaign-report` on the
plan's campaign and `weiji exchange` for its months, compute the same with the reference
and print compare.py's verdict for each output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from acceptance import SHARED, ref_campaign, ref_exchange, ref_indicators
from acceptance.ref_ind_bundle import generate
from acceptance.ref_ind_load import load_bundle

COMPARE = Path(SHARED, "tools/compare.py")
VENV_BIN = Path(sys.executable).parent


@dataclass
class Outcome:
    label: str
    ok: bool
    report: str


def weiji(args: list[str], db: Path | str, var_dir: Path | None = None) -> subprocess.CompletedProcess:
    """Run the product; db is a SQLite file or a database URL."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    var = var_dir or (db.parent if isinstance(db, Path) else Path(tempfile.gettempdir()))
    env = dict(os.environ, WEIJI_DATABASE_URL=url, WEIJI_VAR_DIR=str(var))
    exe = shutil.which("weiji", path=str(VENV_BIN)) or "weiji"
    proc = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"weiji {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def compare(mode: str, got: Path, expected: Path, label: str, *extra: str) -> Outcome:
    proc = subprocess.run([sys.executable, str(COMPARE), mode, str(got), str(expected), "--label", label,
                           "--examples", "40", *extra], capture_output=True, text=True)
    return Outcome(label, proc.returncode == 0, proc.stdout + proc.stderr)


@dataclass
class Prepared:
    seed: int
    work: Path
    plan: dict
    db: Path | str
    ref: object


def migrated_template(work: Path) -> Path:
    """An empty, migrated SQLite database to copy (saves the migrations on every seed)."""
    db = Path(work) / "template.sqlite3"
    if not db.exists():
        Path(work).mkdir(parents=True, exist_ok=True)
        tmp = Path(work) / f"template.{os.getpid()}.sqlite3"
        weiji(["migrate", "-v", "0"], tmp)
        os.replace(tmp, db)   # atomic: concurrent runs never copy a half-migrated file
    return db


def prepare(seed: int, work: Path, n_cases: int = 150, template: Path | None = None,
            postgres: str | None = None) -> Prepared:
    """Generate the seed's bundle and load it into a fresh SQLite database (a copy of template),
    or into a fresh PostgreSQL database weiji_refind_<seed> on the server URL ``postgres``."""
    work = Path(work) / f"seed{seed}"
    if work.exists():
        shutil.rmtree(work)
    plan = generate(seed, work, n_cases)
    db: Path | str = work / "weiji.sqlite3"
    if postgres:
        name = f"weiji_refind_{seed}"
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        db = f"{postgres.rstrip('/')}/{name}"
    elif template is not None:
        shutil.copyfile(template, db)
    weiji(["load", str(work / "bundle"), "--report", str(work / "load.json")], db, work)
    return Prepared(seed, work, plan, db, load_bundle(work / "bundle"))


def check_indicators(prep: Prepared, first: str, last: str) -> Outcome:
    got, exp = prep.work / f"ind-{first}_{last}.csv", prep.work / f"ref-ind-{first}_{last}.csv"
    weiji(["indicators", "--from", first, "--to", last, "--out", str(got)], prep.db, prep.work)
    ref_indicators.write_rows(ref_indicators.compute(prep.ref, *ref_indicators.month_bounds(first, last)), exp)
    return compare("indicators", got, exp, f"seed {prep.seed} indicators {first}..{last}", "--strict-format")


def check_campaign(prep: Prepared) -> Outcome:
    got, exp = prep.work / "campaign.csv", prep.work / "ref-campaign.csv"
    weiji(["campaign-report", str(prep.work / "campaign.yaml"), "--out", str(got)], prep.db, prep.work)
    definition = yaml.safe_load((prep.work / "campaign.yaml").read_text(encoding="utf-8"))
    ref_campaign.write_rows(ref_campaign.compute(prep.ref, definition), exp)
    return compare("campaign", got, exp, f"seed {prep.seed} campaign")


def check_exchange(prep: Prepared, month: str) -> Outcome:
    got, exp = prep.work / f"exchange-{month}", prep.work / f"ref-exchange-{month}"
    weiji(["exchange", "--month", month, "--out", str(got)], prep.db, prep.work)
    ref_exchange.write(ref_exchange.compute(prep.ref, month), exp)
    return compare("exchange", got, exp, f"seed {prep.seed} exchange {month}")


def run_seed(seed: int, work: Path, outputs: tuple[str, ...] = ("indicators", "campaign", "exchange"),
             n_cases: int = 150, postgres: str | None = None) -> list[Outcome]:
    template = None if postgres else migrated_template(work)
    prep = prepare(seed, work, n_cases, template=template, postgres=postgres)
    results = []
    if "indicators" in outputs:
        results += [check_indicators(prep, first, last) for first, last in prep.plan["periods"]]
    if "campaign" in outputs:
        results.append(check_campaign(prep))
    if "exchange" in outputs:
        results += [check_exchange(prep, month) for month in prep.plan["exchange_months"]]
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seeds", type=int, nargs="+")
    ap.add_argument("--work", default="/tmp/refind/run")
    ap.add_argument("--only", choices=("indicators", "campaign", "exchange"), action="append")
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432 (default: SQLite)")
    a = ap.parse_args(argv)
    bad = 0
    for seed in a.seeds:
        for r in run_seed(seed, Path(a.work), tuple(a.only or ("indicators", "campaign", "exchange")), a.cases,
                          a.postgres):
            print(r.report.rstrip() if not r.ok else r.report.splitlines()[0])
            bad += not r.ok
    print(f"{bad} output(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())


_PREPARED: dict[int, Prepared] = {}


def prepared(seed: int) -> Prepared:
    """One generated and loaded bundle per seed and test process (shared by the test modules)."""
    if seed not in _PREPARED:
        work = Path(tempfile.gettempdir()) / f"weiji-refind-{os.getpid()}"
        _PREPARED[seed] = prepare(seed, work, template=migrated_template(work))
    return _PREPARED[seed]
