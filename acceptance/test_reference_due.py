"""The product against an independent implementation of the spec, on edge-heavy bundles.

`weiji load` and `weiji due` run as subprocesses on a fresh database (SQLite by default;
the PostgreSQL server named by WEIJI_DATABASE_URL when it points to PostgreSQL, with
private database names); their load report and due lists must equal the reference's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from acceptance import SHARED, edgebundle, harness, reference

EXAMPLE = Path(SHARED, "spec/examples/small")
BACKEND = "postgresql" if os.environ.get("WEIJI_DATABASE_URL", "").startswith("postgres") else "sqlite"
SEEDS = [101, 102]


def _compare(mode: str, got: Path, expected: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(harness.COMPARE), mode, str(got), str(expected)],
                          capture_output=True, text=True)


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the public example is not on this machine")
def test_reference_reproduces_the_public_example(tmp_path):
    bundle = reference.load_bundle(EXAMPLE / "bundle")
    report = tmp_path / "load.json"
    report.write_text(json.dumps(bundle.report), encoding="utf-8")
    r = _compare("load", report, EXAMPLE / "expected" / "expected-load.json")
    assert r.returncode == 0, r.stdout
    for expected in sorted((EXAMPLE / "expected").glob("due-*.csv")):
        D = dt.date.fromisoformat(expected.stem.removeprefix("due-"))
        out = tmp_path / expected.name
        reference.write_due(reference.due_items(bundle, D), D, out)
        r = _compare("due", out, expected)
        assert r.returncode == 0, r.stdout


def test_generator_is_seeded_and_dirty(tmp_path):
    dates = harness.dates_for(5)
    a = edgebundle.generate(tmp_path / "a", seed=5, as_of=dates, persons=120)
    b = edgebundle.generate(tmp_path / "b", seed=5, as_of=dates, persons=120)
    for name in reference.FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    report = reference.load_bundle(a).report["files"]
    reasons = {e["reason"] for f in report.values() for e in f["errors"]}
    assert reasons == {"missing", "bad_date", "bad_enum", "unknown_ref", "before_birth"}
    for name, counts in report.items():
        assert counts["loaded"] + counts["rejected"] == counts["read"], name
        assert counts["rejected"] > 0, name


def test_dates_cover_the_month_shapes():
    for seed in SEEDS:
        dates = harness.dates_for(seed)
        assert len(dates) == 5
        assert any(d.day == 1 for d in dates)
        assert any(d.month == 2 and d.day == 29 for d in dates)
        assert sum((d + dt.timedelta(days=1)).day == 1 for d in dates) >= 2


@pytest.mark.skipif(not harness.WEIJI.exists(), reason=f"no weiji console script at {harness.WEIJI}")
@pytest.mark.parametrize("seed", SEEDS, ids=[f"{BACKEND}-seed{s}" for s in SEEDS])
def test_product_equals_reference(seed, tmp_path):
    if BACKEND == "postgresql":
        os.environ.setdefault("WEIJI_ACCEPT_DB_PREFIX",
                              os.environ.get("WEIJI_TEST_DB_NAME", "weiji_refdue") + "_acc")
    diffs = harness.run_seed(seed, tmp_path, persons=200)
    assert not diffs, "\n".join(f"--- {d.what}\n{d.text}" for d in diffs)
