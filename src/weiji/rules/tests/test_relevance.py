"""Pruning old events (rules.relevance) never changes a list."""

import random
from datetime import date

import pytest

from weiji.rules.catalogue import Catalogue, default_catalogue
from weiji.rules.evaluate import evaluate_district, sort_items
from weiji.rules.facts import District
from weiji.rules.relevance import CHILD_EVENT_TYPES, child_birth_cutoff, event_horizons
from weiji.rules.tests.example import example_available, example_district
from weiji.rules.tests.test_district_property import day, random_district


def pruned(district: District, catalogue: Catalogue, as_of: date) -> District:
    horizons = event_horizons(catalogue, as_of)
    cutoff = child_birth_cutoff(catalogue, as_of)
    events = []
    for local_id, evs in district.events.items():
        person = district.persons.get(local_id)
        for ev in evs:
            if ev.type in horizons and ev.date < horizons[ev.type]:
                continue
            if ev.type in CHILD_EVENT_TYPES and person is not None and person.birth_date < cutoff:
                continue
            events.append(ev)
    return District.build(units=district.units.values(), facilities=district.facilities.values(),
                          persons=district.persons.values(), events=events)


def edited_catalogue() -> Catalogue:
    data = default_catalogue().to_dict()
    data["services"]["vaccine"]["max_age_years"] = 9
    data["services"]["folic_acid"]["supply_days"] = 120
    data["services"]["postpartum_visit"]["expires_days"] = 40
    data["terms"]["lost_after_edd_days"] = 45
    return Catalogue.from_dict(data)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("catalogue", [default_catalogue(), edited_catalogue()], ids=["default", "edited"])
def test_pruned_facts_give_the_same_list(seed, catalogue):
    district = random_district(seed)
    rng = random.Random(seed)
    for as_of in (date(2025, 1, 1), date(2026, 3, 31), day(rng, date(2019, 1, 1))):
        full = sort_items(evaluate_district(district, as_of, catalogue))
        assert full == sort_items(evaluate_district(pruned(district, catalogue, as_of), as_of, catalogue))


@pytest.mark.skipif(not example_available(), reason="the spec example is not on this machine")
@pytest.mark.parametrize("as_of", ["2025-01-01", "2026-03-01", "2026-12-01", "2026-06-30"])
def test_pruned_example(as_of):
    district, cat = example_district(), default_catalogue()
    on = date.fromisoformat(as_of)
    small = pruned(district, cat, on)
    assert sum(map(len, small.events.values())) < sum(map(len, district.events.values()))
    assert sort_items(evaluate_district(small, on)) == sort_items(evaluate_district(district, on))
