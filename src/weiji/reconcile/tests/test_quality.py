"""Precision and recall on a generated register and sources with known truth."""

from __future__ import annotations

import pytest

from weiji.reconcile import services
from weiji.reconcile.testdata import (
    dataset_load,
    evaluate,
    format_figures,
    generate,
    write_source_csv,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("source_type", ["population_register", "births"])
def test_precision_and_recall(tmp_path, source_type, capsys):
    ds = generate(persons=8000, seed=11)
    dataset_load(ds)
    path = tmp_path / f"{source_type}.csv"
    write_source_csv(ds.sources[source_type], path)
    source = services.source_create(code=source_type.replace("_", "-"), name=source_type, type=source_type, user=None)
    services.snapshot_import(source=source, path=path, user=None)
    services.reconcile_run(source=source, user=None)
    figures = evaluate(ds, source_type, source)
    with capsys.disabled():
        print(f"\n[{source_type}] 8000 persons\n" + format_figures(figures))
    p, r, _, want = figures["auto_links"]
    assert want > 0 and p >= 0.99 and r >= 0.99, figures["auto_links"]
    for name, (p, r, _got, _want) in figures.items():
        if name in ("auto_links", "review"):
            continue
        assert p >= 0.98 and r >= 0.98, (name, figures[name])
    # every list the generator can produce for this source type is exercised
    expected_lists = {"unlinked", "missing", "conflict", "unmanaged"} | (
        {"absent", "present", "duplicate"} if source_type == "population_register" else set()
    )
    assert {n for n, f in figures.items() if f[3] > 0} >= expected_lists

    # a second run with the same data changes nothing
    run = services.reconcile_run(source=source, user=None)
    assert run.counts["created"] == 0 and run.counts["obsolete"] == 0
