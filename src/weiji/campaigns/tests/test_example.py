"""The public example (spec/examples/small) reproduced through the database and the commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from weiji.records.bundle.loader import load_bundle

SHARED = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[4] / "shared"))
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
