"""`weiji campaign-report` against the independent reference (ref_campaign).

The campaign YAML is written by ref_ind_bundle for the bundle's dates (targets born
exactly on born_on_or_after, checkups on the first/last day and at every facility kind,
home visits only, villages without targets, rates on the thresholds).
"""

import subprocess
import sys

import pytest

from acceptance import SHARED, ref_campaign
from acceptance.ref_ind_run import COMPARE, check_campaign, prepared

EXAMPLE = f"{SHARED}/spec/examples/small"
SEEDS = (3,)


def test_reference_reproduces_the_public_example(tmp_path):
    out = tmp_path / "ref.csv"
    ref_campaign.main([f"{EXAMPLE}/bundle", f"{SHARED}/spec/campaign-spring.yaml", "--out", str(out)])
    proc = subprocess.run([sys.executable, str(COMPARE), "campaign", str(out),
                           f"{EXAMPLE}/expected/campaign-spring-2018.csv"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_product_campaign_report_matches_reference(seed):
    outcome = check_campaign(prepared(seed))
    assert outcome.ok, outcome.report
