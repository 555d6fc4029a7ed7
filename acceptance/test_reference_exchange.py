"""`weiji exchange` against the independent reference (ref_exchange)."""

import subprocess
import sys

import pytest

from acceptance import SHARED, ref_exchange
from acceptance.ref_ind_run import COMPARE, check_exchange, prepared

EXAMPLE = f"{SHARED}/spec/examples/small"
SEEDS = (3, 11)


def test_reference_reproduces_the_public_example(tmp_path):
    out = tmp_path / "ref"
    ref_exchange.main([f"{EXAMPLE}/bundle", "--month", "2026-11", "--out", str(out)])
    proc = subprocess.run([sys.executable, str(COMPARE), "exchange", str(out),
                           f"{EXAMPLE}/expected/exchange-2026-11"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_product_exchange_matches_reference(seed):
    prep = prepared(seed)
    for month in prep.plan["exchange_months"]:
        outcome = check_exchange(prep, month)
        assert outcome.ok, outcome.report
