"""`weiji indicators` through the database: the public example, the cache, bad input."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from weiji.indicators.models import IndicatorPeriod
from weiji.indicators.selectors import cached_counts
from weiji.indicators.services import indicator_definition_save, indicator_periods_refresh
from weiji.records.bundle.loader import load_bundle
from weiji.records.models import Event

SHARED = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[5] / "shared"))
if not (SHARED / "spec").is_dir():
    SHARED = Path("/work/shared")
EXAMPLE = SHARED / "spec" / "examples" / "small"
needs_example = pytest.mark.skipif(not EXAMPLE.is_dir(),
                                   reason=f"the shared example is not at {EXAMPLE}")
pytestmark = pytest.mark.django_db


@pytest.fixture
def example_loaded(db):
    load_bundle(EXAMPLE / "bundle")


@needs_example
@pytest.mark.parametrize("name", ["2026-01_2026-06", "2025-10_2026-09"])
def test_example_matches_exactly(example_loaded, tmp_path, name):
    start, end = name.split("_")
    out = tmp_path / "ind.csv"
    call_command("indicators", from_month=start, to_month=end, out=str(out))
    expected = (EXAMPLE / "expected" / f"indicators-{name}.csv").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").splitlines() == expected.splitlines()


@needs_example
def test_cache_is_reused_and_recomputed_when_records_change(example_loaded, tmp_path):
    p1, p2 = date(2026, 1, 1), date(2026, 6, 30)
    first = indicator_periods_refresh(periods=[(p1, p2)])[(p1, p2)]
    stamp = first.computed_at
    again = indicator_periods_refresh(periods=[(p1, p2)])[(p1, p2)]
    assert again.computed_at == stamp and again.fingerprint == first.fingerprint
    # An event after P2 changes nothing for this period …
    late = Event.objects.filter(date__gt=p2).first()
    late.save()
    assert indicator_periods_refresh(periods=[(p1, p2)])[(p1, p2)].computed_at == stamp
    # … an event in the period does: delete a live birth and the count drops.
    def births():
        period = IndicatorPeriod.objects.get(period_start=p1, period_end=p2)
        return cached_counts(period)["live_births"][0][("320981", "all")]
    before = births()
    Event.objects.filter(type="pregnancy_outcome", outcome="live_birth",
                         date__range=(p1, p2)).first().delete()
    refreshed = indicator_periods_refresh(periods=[(p1, p2)])[(p1, p2)]
    assert refreshed.fingerprint != first.fingerprint
    assert births() == before - 1
    assert IndicatorPeriod.objects.count() == 1


@needs_example
def test_xlsx_and_zones(example_loaded, tmp_path):
    out = tmp_path / "ind.xlsx"
    call_command("indicators", from_month="2026-01", to_month="2026-06", out=str(out), zones=True)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:10] == ["period_start", "period_end", "unit_code", "population", "indicator",
                           "numerator", "denominator", "value", "target", "meets_target"]
    units = {row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert any("Z" in u for u in units)


def test_district_defined_indicator(tmp_path):
    from weiji.core import testing as f

    tree = f.make_tree()
    indicator_definition_save(code="home_visit_rate", name_zh="入户访查率", spec={
        "denominator": {"subject": "person", "where": [
            ["age", {"min": 18, "on": "P2"}], ["in_scope", {"on": "P2"}]]},
        "numerator": {"where": [["event", {"types": ["home_visit"], "from": "P1", "to": "P2"}]]},
    })
    from weiji.registry.models import Person

    a = Person.objects.create(local_id="A", name="甲", sex="1", birth_date=date(1980, 1, 1),
                              village=tree.v1, residency="registered_present")
    Person.objects.create(local_id="B", name="乙", sex="2", birth_date=date(1981, 1, 1),
                          village=tree.v1, residency="inflow", inflow_date=date(2020, 1, 1))
    Event.objects.create(event_id="H1", person=a, type="home_visit", date=date(2026, 1, 5))
    out = tmp_path / "ind.csv"
    call_command("indicators", from_month="2026-01", to_month="2026-01", out=str(out))
    lines = [line for line in out.read_text().splitlines()
             if line.split(",")[2] == tree.v1.code and "home_visit_rate" in line]
    assert lines == [
        "2026-01-01,2026-01-31,370303001001,all,home_visit_rate,1,2,0.5000,,",
        "2026-01-01,2026-01-31,370303001001,inflow,home_visit_rate,0,1,0.0000,,",
        "2026-01-01,2026-01-31,370303001001,registered,home_visit_rate,1,1,1.0000,,",
    ]


@pytest.mark.parametrize("opts, message", [
    ({"from_month": "2026-13", "to_month": "2026-12"}, "--from"),
    ({"from_month": "202601", "to_month": "2026-12"}, "YYYY-MM"),
    ({"from_month": "2026-06", "to_month": "2026-01"}, "after"),
])
def test_bad_months_are_refused(tmp_path, opts, message):
    with pytest.raises(CommandError, match=message):
        call_command("indicators", out=str(tmp_path / "x.csv"), **opts)


def test_bad_definition_is_refused():
    from weiji.indicators.blocks import DefinitionError

    with pytest.raises(DefinitionError, match="unknown block"):
        indicator_definition_save(code="x", name_zh="x", spec={
            "denominator": {"where": [["no_such_block", {}]]}})


@needs_example
@pytest.mark.django_db(transaction=True)
def test_fingerprints_outside_a_transaction_same_and_settings_restored():
    """Outside a transaction SQLite sorts the fingerprint scan with its default settings:
    the fingerprints are the ones computed inside a transaction, the settings come back."""
    from django.db import connection, transaction

    from weiji.indicators.snapshot import period_fingerprints

    load_bundle(EXAMPLE / "bundle")
    ends = [date(2026, 3, 31), date(2026, 6, 30)]

    def settings():
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            size = cursor.fetchone()[0]
            cursor.execute("PRAGMA temp_store")
            return size, cursor.fetchone()[0]

    before = settings()
    outside = period_fingerprints(period_ends=ends, definitions_hash="x")
    assert settings() == before
    with transaction.atomic():
        inside = period_fingerprints(period_ends=ends, definitions_hash="x")
    assert outside == inside and len(set(outside.values())) == 2


@needs_example
def test_refresh_restores_the_garbage_collector(example_loaded):
    """The collector is paused and the facts frozen only while a recomputation runs."""
    import gc

    assert gc.isenabled() and gc.get_freeze_count() == 0
    p1, p2 = date(2026, 1, 1), date(2026, 3, 31)
    indicator_periods_refresh(periods=[(p1, p2)], force=True)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        indicator_periods_refresh(periods=[(p1, p2)], force=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
