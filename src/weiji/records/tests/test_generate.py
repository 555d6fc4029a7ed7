"""The synthetic district: deterministic, realistic enough, and loads without a rejection."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from weiji.records.bundle.generate import district_generate
from weiji.records.bundle.loader import load_bundle
from weiji.records.models import Event, EventType
from weiji.registry.ids import id_number_is_valid
from weiji.registry.models import Person


def read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_generated_bundle_loads_without_rejections(tmp_path):
    summary = district_generate(persons=1500, out=tmp_path / "b", seed=11)
    report = load_bundle(tmp_path / "b")
    assert report.rejected == 0
    assert report.files["persons.csv"].loaded == summary.persons == Person.objects.count()
    assert report.files["events.csv"].loaded == summary.events == Event.objects.count()
    assert 7 <= summary.events / summary.persons <= 13
    types = Counter(Event.objects.values_list("type", flat=True))
    assert set(types) == set(EventType.values)
    assert Person.objects.filter(residency="inflow").exists()
    assert Person.objects.filter(residency="registered_absent").exists()
    assert Person.objects.filter(mother__isnull=False).exists()
    assert Person.objects.filter(death_date__isnull=False).exists()
    years = Counter(Event.objects.values_list("date__year", flat=True))
    assert years[2026] > years[2018] > 0


def test_same_seed_same_bundle(tmp_path):
    district_generate(persons=300, out=tmp_path / "a", seed=5)
    district_generate(persons=300, out=tmp_path / "b", seed=5)
    district_generate(persons=300, out=tmp_path / "c", seed=6)
    for name in ("orgunits.csv", "facilities.csv", "persons.csv", "events.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "persons.csv").read_bytes() != (tmp_path / "c" / "persons.csv").read_bytes()


def test_people_look_real(tmp_path):
    district_generate(persons=2000, out=tmp_path / "b", seed=2)
    persons = read(tmp_path / "b" / "persons.csv")
    with_id = [p for p in persons if p["id_number"]]
    valid = [p for p in with_id if id_number_is_valid(p["id_number"])]
    assert len(valid) >= 0.99 * len(with_id)
    for p in valid:
        assert p["id_number"][6:14] == p["birth_date"].replace("-", "")
        assert int(p["id_number"][16]) % 2 == (1 if p["sex"] == "1" else 0)
    inflow = [p for p in persons if p["residency"] == "inflow"]
    assert inflow and all(p["inflow_date"] and p["hukou_division"] != "370921" for p in inflow)
    units = read(tmp_path / "b" / "orgunits.csv")
    levels = Counter(u["level"] for u in units)
    assert levels["county"] == 1 and levels["town"] >= 1 and levels["village"] >= 2
    kinds = Counter(f["kind"] for f in read(tmp_path / "b" / "facilities.csv"))
    assert {"hospital", "mch_center", "village_clinic"} <= set(kinds)


def test_generate_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        district_generate(persons=0, out=tmp_path / "x", seed=1)


@pytest.mark.django_db
def test_bulk_mode_rebuilds_the_event_indexes(tmp_path, monkeypatch):
    from django.db import connection

    from weiji.records.bundle import store

    def indexes():
        with connection.cursor() as cursor:
            return {table: connection.introspection.get_constraints(cursor, table)
                    for table in ("records_event", "registry_person")}

    summary = district_generate(persons=300, out=tmp_path / "b", seed=4)
    events = tmp_path / "b" / "events.csv"
    first = read(events)[0]
    with open(events, "a", encoding="utf-8", newline="") as fh:  # a repeated key: later wins
        csv.DictWriter(fh, fieldnames=list(first)).writerow({**first, "performed_by": "复核人"})
    monkeypatch.setattr(store, "BULK_ROWS", 1)
    before_load = indexes()
    report = load_bundle(tmp_path / "b")
    assert report.rejected == 0
    assert report.files["events.csv"].loaded == summary.events + 1
    assert Event.objects.count() == summary.events
    assert Event.objects.get(event_id=first["event_id"]).performed_by == "复核人"
    assert indexes() == before_load
    for index in Event._meta.indexes:
        assert index.name in before_load["records_event"]
    # A second load is not a bulk load (the table already holds the rows) and changes nothing.
    before = list(Event.objects.order_by("id").values())
    load_bundle(tmp_path / "b")
    assert list(Event.objects.order_by("id").values()) == before
