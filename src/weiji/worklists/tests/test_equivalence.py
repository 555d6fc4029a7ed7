"""The set-based district run gives exactly the per-person evaluator's list (generated data).

A synthetic district is generated and loaded; the streamed, chunked district run and the
diffed regeneration a few weeks later must both equal evaluating every person on their own.
"""

from __future__ import annotations

from datetime import date

import pytest

from weiji.records.bundle.generate import district_generate
from weiji.records.bundle.loader import load_bundle
from weiji.registry.models import Person
from weiji.rules.evaluate import evaluate_person
from weiji.worklists.facts import district_from_db
from weiji.worklists.models import ItemState, ServiceItem
from weiji.worklists.services import servicelist_generate

pytestmark = pytest.mark.django_db


def _per_person(on: date) -> set[tuple]:
    rows = set()
    for local_id in Person.objects.filter(merged_into__isnull=True).values_list(
            "local_id", flat=True):
        facts = district_from_db(on=on, persons=[local_id])
        for i in evaluate_person(facts, local_id, on):
            rows.add((i.village_code, i.person_local_id, i.service, i.due_from, i.due_until,
                      i.status, i.responsible))
    return rows


def _stored() -> set[tuple]:
    return set(ServiceItem.objects.filter(state=ItemState.OPEN).values_list(
        "village_id", "person__local_id", "service", "due_from", "due_until", "status",
        "responsible"))


def test_district_run_equals_per_person_evaluation(tmp_path):
    district_generate(persons=600, out=tmp_path / "bundle", seed=11)
    load_bundle(tmp_path / "bundle")
    assert Person.objects.count() > 400
    d1, d2 = date(2025, 6, 1), date(2025, 6, 23)
    first = servicelist_generate(as_of=d1, chunk_size=70)
    expected = _per_person(d1)
    assert len(expected) > 100
    assert _stored() == expected and first.added == len(expected)
    # Three weeks later, on top of the first list: diffed, and again equal.
    second = servicelist_generate(as_of=d2, chunk_size=70)
    assert _stored() == _per_person(d2)
    assert second.unchanged > 0 and second.closed + second.dropped > 0
    again = servicelist_generate(as_of=d2, chunk_size=1000)
    assert (again.added, again.changed, again.closed, again.dropped) == (0, 0, 0, 0)
