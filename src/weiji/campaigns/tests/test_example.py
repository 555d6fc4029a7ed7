"""The public example (spec/examples/small) reproduced through the database and the commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from weiji.records.bundle.loader import load_bundle

SHARED = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[5] / "shared"))
if not (SHARED / "spec").is_dir():
    SHARED = Path("/work/shared")
EXAMPLE = SHARED / "spec" / "examples" / "small"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not EXAMPLE.is_dir(), reason=f"the shared example is not at {EXAMPLE}"),
]


@pytest.fixture
def example_loaded(db):
    load_bundle(EXAMPLE / "bundle")


def test_campaign_report_matches_the_example(example_loaded, tmp_path):
    out = tmp_path / "campaign.csv"
    call_command("campaign-report", str(SHARED / "spec" / "campaign-spring.yaml"), out=str(out))
    expected = (EXAMPLE / "expected" / "campaign-spring-2018.csv").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == expected


def test_exchange_matches_the_example(example_loaded, tmp_path):
    call_command("exchange", month="2026-11", out=str(tmp_path / "ex"))
    expected_dir = EXAMPLE / "expected" / "exchange-2026-11"
    for name in ("new_inflows.csv", "inflow_pregnancies_births.csv", "inflow_children.csv"):
        got = (tmp_path / "ex" / name).read_text(encoding="utf-8")
        assert got == (expected_dir / name).read_text(encoding="utf-8"), name


def test_progress_pages_agree_with_the_report_after_the_end(example_loaded):
    from datetime import timedelta

    from weiji.campaigns.definition import definition_load
    from weiji.campaigns.exports import report_csv
    from weiji.campaigns.selectors import campaign_progress
    from weiji.campaigns.services import campaign_import, campaign_targets_generate

    defn = definition_load(SHARED / "spec" / "campaign-spring.yaml")
    campaign = campaign_import(definition=defn)
    assert campaign_targets_generate(campaign=campaign) == 17
    progress = campaign_progress(campaign=campaign, user=None, day=defn.end + timedelta(days=1))
    expected = (EXAMPLE / "expected" / "campaign-spring-2018.csv").read_text(encoding="utf-8")
    assert report_csv(progress.results) == expected
    assert progress.finished
    # Mid-campaign only what happened so far counts, the same on both paths.
    from weiji.campaigns.selectors import campaign_report_results

    for day in (defn.start, defn.start + timedelta(days=10), defn.end):
        stored = campaign_progress(campaign=campaign, user=None, day=day).results
        assert stored == campaign_report_results(defn, until=day, today=day), day
