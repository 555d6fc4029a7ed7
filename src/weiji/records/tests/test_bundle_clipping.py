"""A value longer than its column holds is stored cut, and the report says so."""

from __future__ import annotations

import pytest

from weiji.records.bundle.loader import load_bundle
from weiji.records.models import Event
from weiji.records.tests.bundles import EVENTS, PERSONS, write_bundle
from weiji.registry.models import Person

pytestmark = pytest.mark.django_db


def test_over_long_values_are_reported_not_silently_cut(tmp_path):
    long_name = "欧阳" * 40  # 80 characters; the column holds 60
    persons = PERSONS.replace("王芳", long_name)
    events = EVENTS.replace("王医生", "医" * 70)
    report = load_bundle(write_bundle(tmp_path, persons=persons, events=events))
    person_file = report.files["persons.csv"]
    assert person_file.rejected == 0
    assert any("name" in w and "60" in w and "截断" in w for w in person_file.warnings)
    assert Person.objects.get(local_id="M1").name == long_name[:60]
    assert "warnings" in report.to_dict()["files"]["persons.csv"]
    event_file = report.files["events.csv"]
    assert any("performed_by" in w for w in event_file.warnings)
    assert Event.objects.get(event_id="E1").performed_by == "医" * 60
