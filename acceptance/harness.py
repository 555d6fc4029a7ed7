"""Runs the product (`weiji load`, `weiji due`) on a generated bundle and compares its
outputs with the reference implementation.

    python -m acceptance.harness --seeds 1-50 [--keep DIR]

prints one line per (seed, output) that differs, with compare.py's examples.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from acceptance import SHARED, edgebundle, reference

ROOT = Path(__file__).resolve().parent.parent
COMPARE = Path(SHARED, "tools/compare.py")
WEIJI = Path(sys.executable).with_name("weiji")


def dates_for(seed: int) -> list[dt.date]:
    """Five as-of dates: a 1st of month, a mid-month date, a Feb 29 and two month ends."""
    rnd = (seed * 7919) % 1000
    year = 2025 + rnd % 3
    month = 1 + rnd % 12
    first = dt.date(year, month, 1)
    mid = dt.date(2025 + (rnd // 3) % 3, 1 + (rnd // 7) % 12, 10 + rnd % 10)
    leap = dt.date(2024 if rnd % 2 else 2028, 2, 29)
    ends = [dt.date(2025, 12, 31), dt.date(2026, 2, 28), dt.date(2025, 4, 30),
            dt.date(2026, 8, 31), dt.date(2027, 1, 31), dt.date(2024, 12, 31)]
    end1 = ends[rnd % len(ends)]
    end2 = ends[(rnd // 5 + 1) % len(ends)]
    if end2 == end1:
        end2 = ends[(ends.index(end1) + 1) % len(ends)]
    return sorted({first, mid, leap, end1, end2})


@dataclass
class Diff:
    seed: int
    what: str
    text: str


def _db_url(workdir: Path, tag: str) -> str:
    base = os.environ.get("WEIJI_DATABASE_URL", "")
    if base.startswith("postgres"):
        stem, _, _name = base.rpartition("/")
        return f"{stem}/{os.environ.get('WEIJI_ACCEPT_DB_PREFIX', 'weiji_refdue')}_{tag}"
    return f"sqlite:///{workdir}/{tag}.sqlite3"


def _pg_exec(url: str, sql: str) -> None:
    import psycopg

    stem, _, _name = url.rpartition("/")
    with psycopg.connect(f"{stem}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _drop_pg(url: str) -> None:
    if url.startswith("postgres"):
        _pg_exec(url, f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


_TEMPLATES: dict[str, str] = {}


def fresh_database(workdir: Path, tag: str) -> str:
    """A new, migrated, empty database for one run: copied from a template migrated once
    per process (migrating takes longer than loading a small bundle)."""
    url = _db_url(workdir, tag)
    kind = "pg" if url.startswith("postgres") else "sqlite"
    if kind not in _TEMPLATES:
        tdir = Path(tempfile.mkdtemp(prefix="refdue-template-"))
        turl = _db_url(tdir, "template")
        _drop_pg(turl)
        if kind == "pg":
            _pg_exec(turl, f'CREATE DATABASE "{turl.rpartition("/")[2]}"')
        env = dict(os.environ, WEIJI_DATABASE_URL=turl, WEIJI_VAR_DIR=str(tdir))
        r = _weiji(["migrate", "-v0"], env)
        if r.returncode != 0:
            raise RuntimeError(f"weiji migrate failed: {r.stderr[-2000:]}")
        _TEMPLATES[kind] = turl
        if kind == "pg":
            atexit.register(_drop_pg, turl)
        atexit.register(shutil.rmtree, tdir, True)
    turl = _TEMPLATES[kind]
    if kind == "pg":
        _drop_pg(url)
        _pg_exec(url, f'CREATE DATABASE "{url.rpartition("/")[2]}" '
                      f'TEMPLATE "{turl.rpartition("/")[2]}"')
    else:
        shutil.copyfile(turl.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
    return url


def _weiji(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(WEIJI), *args], env=env, capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def _compare(mode: str, got: Path, expected: Path, label: str) -> str | None:
    r = subprocess.run([sys.executable, str(COMPARE), mode, str(got), str(expected),
                        "--label", label, "--examples", "40"],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else r.stdout + r.stderr


def load_errors_diff(got: dict, want: dict) -> str | None:
    """compare.py only checks error (row, column) when the counts agree; check them always."""
    lines = []
    for fname, w in want["files"].items():
        g = got.get("files", got).get(fname, {})
        gs = {(e.get("row"), e.get("column")) for e in g.get("errors", [])}
        ws = {(e["row"], e["column"]) for e in w["errors"]}
        for k in ("read", "loaded", "rejected"):
            if g.get(k) != w[k]:
                lines.append(f"{fname}: {k} product {g.get(k)} reference {w[k]}")
        for row, col in sorted(ws - gs, key=str):
            reason = next(e["reason"] for e in w["errors"] if (e["row"], e["column"]) == (row, col))
            lines.append(f"{fname}: reference rejects row {row} column {col} ({reason}); product not")
        for row, col in sorted(gs - ws, key=str):
            reason = next((e.get("reason_en") for e in g["errors"]
                           if (e.get("row"), e.get("column")) == (row, col)), "")
            lines.append(f"{fname}: product rejects row {row} column {col} ({reason}); reference not")
    return "\n".join(lines) or None


def run_seed(seed: int, workdir: Path, *, persons: int = 300,
             dates: list[dt.date] | None = None, xlsx: bool = False) -> list[Diff]:
    """Generate, run the product and the reference, and return every difference."""
    dates = dates or dates_for(seed)
    bundle = edgebundle.generate(workdir / "bundle", seed=seed, as_of=dates, persons=persons,
                                 xlsx=xlsx)
    url = fresh_database(workdir, f"s{seed}")
    env = dict(os.environ, WEIJI_DATABASE_URL=url, WEIJI_VAR_DIR=str(workdir / "var"))
    diffs: list[Diff] = []
    try:
        r = _weiji(["load", str(bundle), "--report", str(workdir / "load.json")], env)
        if r.returncode != 0:
            return [Diff(seed, "load", f"weiji load exit {r.returncode}: {r.stderr[-2000:]}")]
        ref = reference.load_bundle(bundle)
        (workdir / "ref-load.json").write_text(json.dumps(ref.report, ensure_ascii=False))
        got = json.loads((workdir / "load.json").read_text(encoding="utf-8"))
        text = load_errors_diff(got, ref.report)
        if text:
            diffs.append(Diff(seed, "load", text))
        # loading is idempotent: the same bundle again reports the same and changes nothing
        r = _weiji(["load", str(bundle), "--report", str(workdir / "load-again.json")], env)
        if r.returncode != 0:
            diffs.append(Diff(seed, "load again", f"exit {r.returncode}: {r.stderr[-2000:]}"))
        else:
            again = json.loads((workdir / "load-again.json").read_text(encoding="utf-8"))
            text = load_errors_diff(again, ref.report)
            if text:
                diffs.append(Diff(seed, "load again", text))
        # the product keeps work lists in its database: run the dates in a shuffled order
        # and one of them twice, as an acceptance run may
        order = list(dates)
        random.Random(seed).shuffle(order)
        order.append(order[0])
        for run, D in enumerate(order):
            out = workdir / (f"due-{D}.csv" if run < len(dates) else f"due-{D}-again.csv")
            r = _weiji(["due", "--as-of", D.isoformat(), "--out", str(out)], env)
            if r.returncode != 0:
                diffs.append(Diff(seed, f"due {D}", f"exit {r.returncode}: {r.stderr[-2000:]}"))
                continue
            exp = workdir / f"ref-due-{D}.csv"
            reference.write_due(reference.due_items(ref, D), D, exp)
            text = _compare("due", out, exp, f"seed {seed} due {D}")
            if text:
                diffs.append(Diff(seed, f"due {D}", text))
        diffs += _other_paths(seed, workdir, env, ref, order[0])
    finally:
        _drop_pg(url)
    return diffs


_CHUNKED = (
    "from datetime import date; from pathlib import Path; "
    "from weiji.worklists.facts import due_items_from_db; "
    "from weiji.rules.evaluate import sort_items; "
    "from weiji.worklists.management.commands.due import write_csv; "
    "write_csv(sort_items(due_items_from_db(as_of=date.fromisoformat({day!r}), chunk_size=17)), "
    "Path({out!r}))"
)


def _other_paths(seed: int, workdir: Path, env: dict, ref: reference.Bundle,
                 D: dt.date) -> list[Diff]:
    """The same list through the product's other paths: streamed in small chunks of persons
    (as a large district is: mothers and spouses in other chunks) and per village."""
    diffs = []
    exp = workdir / f"ref-due-{D}.csv"
    out = workdir / f"due-{D}-chunked.csv"
    r = _weiji(["shell", "-c", _CHUNKED.format(day=D.isoformat(), out=str(out))], env)
    if r.returncode != 0:
        diffs.append(Diff(seed, f"due {D} chunked", f"exit {r.returncode}: {r.stderr[-2000:]}"))
    else:
        text = _compare("due", out, exp, f"seed {seed} due {D} in chunks of 17 persons")
        if text:
            diffs.append(Diff(seed, f"due {D} chunked", text))
    village = sorted({p["village_code"] for p in ref.persons.values()})[seed % 5]
    out = workdir / f"due-{D}-{village}.csv"
    r = _weiji(["due", "--as-of", D.isoformat(), "--village", village, "--out", str(out)], env)
    if r.returncode != 0:
        diffs.append(Diff(seed, f"due {D} --village", f"exit {r.returncode}: {r.stderr[-2000:]}"))
        return diffs
    exp_v = workdir / f"ref-due-{D}-{village}.csv"
    items = [it for it in reference.due_items(ref, D) if it.village == village]
    reference.write_due(items, D, exp_v)
    text = _compare("due", out, exp_v, f"seed {seed} due {D} --village {village}")
    if text:
        diffs.append(Diff(seed, f"due {D} --village", text))
    return diffs


def _seeds(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1-10")
    ap.add_argument("--persons", type=int, default=300)
    ap.add_argument("--keep", help="keep each seed's files under this folder")
    ap.add_argument("--xlsx", action="store_true", help="bundles as one .xlsx workbook")
    a = ap.parse_args(argv)
    bad = 0
    for seed in _seeds(a.seeds):
        if a.keep:
            wd = Path(a.keep) / f"seed{seed}"
            shutil.rmtree(wd, ignore_errors=True)
            wd.mkdir(parents=True)
            diffs = run_seed(seed, wd, persons=a.persons, xlsx=a.xlsx)
        else:
            with tempfile.TemporaryDirectory(prefix="refdue-") as tmp:
                diffs = run_seed(seed, Path(tmp), persons=a.persons, xlsx=a.xlsx)
        print(f"seed {seed}: {'ok' if not diffs else f'{len(diffs)} differing outputs'}",
              flush=True)
        for d in diffs:
            bad += 1
            print(f"--- seed {d.seed} {d.what}\n{d.text}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
