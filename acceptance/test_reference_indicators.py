"""`weiji indicators` against the independent reference (ref_indicators) on edge-heavy bundles.

Each seed's bundle (ref_ind_bundle) is loaded once into a fresh SQLite database by
subprocess; the product's CSV and the reference's are compared with the acceptance
harness's compare.py (--strict-format).
"""

import subprocess
import sys

import pytest

from acceptance import SHARED, ref_indicators
from acceptance.ref_ind_run import COMPARE, check_indicators, prepared

EXAMPLE = f"{SHARED}/spec/examples/small"
CASES = [(3, 0), (3, 1), (3, 2), (11, 0), (11, 1)]   # (seed, period: months / Oct–Sep year / one month)


@pytest.mark.parametrize("period", ["2026-01_2026-06", "2025-10_2026-09"])
def test_reference_reproduces_the_public_example(tmp_path, period):
    first, last = period.split("_")
    out = tmp_path / "ref.csv"
    ref_indicators.main([f"{EXAMPLE}/bundle", "--from", first, "--to", last, "--out", str(out)])
    proc = subprocess.run([sys.executable, str(COMPARE), "indicators", str(out),
                           f"{EXAMPLE}/expected/indicators-{period}.csv", "--strict-format"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize(("seed", "which"), CASES)
def test_product_indicators_match_reference(seed, which):
    prep = prepared(seed)
    first, last = prep.plan["periods"][which]
    outcome = check_indicators(prep, first, last)
    assert outcome.ok, outcome.report
