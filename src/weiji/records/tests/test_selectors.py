"""Reads of loaded events."""

from __future__ import annotations

import pytest

from weiji.records.bundle.loader import load_bundle
from weiji.records.selectors import event_counts_by_type, events_of_person
from weiji.records.tests.bundles import write_bundle
from weiji.registry.models import Person

pytestmark = pytest.mark.django_db


def test_events_of_person_include_marriages_naming_them(tmp_path):
    load_bundle(write_bundle(tmp_path / "b"))
    husband = Person.objects.get(local_id="F1")
    assert [e.event_id for e in events_of_person(person_id=husband.id)] == ["E4"]
    mother = Person.objects.get(local_id="M1")
    assert [e.event_id for e in events_of_person(person_id=mother.id)] == ["E4", "E1", "E2"]
    assert event_counts_by_type() == {"marriage": 1, "pregnancy_outcome": 1,
                                      "pregnancy_registered": 1, "vaccination": 1}
