"""The catalogue as data: defaults, round trip, edits and their validation."""

import json

import pytest

from weiji.rules.catalogue import Catalogue, CatalogueError, default_catalogue
from weiji.rules.tests.make import ev, items, person, rows


def test_default_round_trips_through_json():
    cat = default_catalogue()
    data = json.loads(json.dumps(cat.to_dict()))
    again = Catalogue.from_dict(data)
    assert again.to_dict() == cat.to_dict()
    assert again.version == 1
    assert again.services["anc_3"]["expires_days"] == 196
    assert [t.service for t in again.child_checkups][0] == "child_checkup_1m"
    assert len(again.schedule.doses) == len(cat.schedule.doses)


def edited(**services):
    data = default_catalogue().to_dict()
    data["version"] = 2
    for name, params in services.items():
        data["services"][name].update(params)
    return Catalogue.from_dict(data)


def test_edited_parameters_change_the_list():
    w = person(birth="1950-01-01")
    assert items([w], [], "2026-03-01", service="elderly_checkup")
    later = edited(elderly_checkup={"min_age_years": 80})
    assert items([w], [], "2026-03-01", service="elderly_checkup", catalogue=later) == []
    off = edited(elderly_checkup={"enabled": False})
    assert items([w], [], "2026-03-01", service="elderly_checkup", catalogue=off) == []
    town = edited(elderly_checkup={"responsible": "town"})
    (item,) = items([w], [], "2026-03-01", service="elderly_checkup", catalogue=town)
    assert item.responsible == "320981100"


def test_edited_window():
    events = [ev("chronic_diagnosis", "2020-01-01", condition="diabetes")]
    cat = edited(folic_acid={"supply_days": 30})
    w = person(birth="1995-01-01")
    marriage = ev("marriage", "2026-01-10")
    folic = ev("folic_acid", "2026-03-01")
    assert items([w], [marriage, folic], "2026-03-01", service="folic_acid") == []
    assert rows(items([w], [marriage, folic, *events], "2026-03-01", service="folic_acid",
                      catalogue=cat)) == [("folic_acid", "2026-03-01", "2026-03-31", "due")]


@pytest.mark.parametrize("data,where", [
    ({"services": {"anc_9": {}}}, "services.anc_9"),
    ({"services": {"anc_2": {"start_days": "x"}}}, "services.anc_2.start_days"),
    ({"services": {"anc_2": {"start_days": 150}}}, "services.anc_2.end_days"),
    ({"services": {"anc_2": {"start_days": -1}}}, "services.anc_2.start_days"),
    ({"services": {"anc_2": {"enabled": "yes"}}}, "services.anc_2.enabled"),
    ({"services": {"anc_2": {"responsible": "hospital"}}}, "services.anc_2.responsible"),
    ({"services": {"anc_2": {"colour": 1}}}, "services.anc_2.colour"),
    ({"terms": {"reproductive_age_min": 50}}, "terms.reproductive_age_max"),
    ({"child_checkups": [{"service": "child_checkup_3m", "unit": "months", "amount": 3, "span": 30},
                         {"service": "child_checkup_1m", "unit": "days", "amount": 28, "span": 14}]},
     "child_checkups"),
    ({"child_checkups": [{"service": "x", "unit": "months", "amount": 3, "span": 30}]},
     "child_checkups.0.service"),
    ({"chronic_conditions": ["asthma"]}, "chronic_conditions"),
    ({"schedule": [{"schedule": "v", "effective_from": "2020-13-01", "vaccine": "hepb", "dose": 1,
                    "age_months": 0, "min_interval_days": 0, "max_age_months": 12}]},
     "schedule.0.effective_from"),
    ({"schedule": [{"schedule": "v", "effective_from": "2020-01-01", "vaccine": "hepb", "dose": 2,
                    "age_months": 0, "min_interval_days": 0, "max_age_months": 12}]},
     "schedule.0.dose"),
    ({"version": 0}, "version"),
    ({"colour": 1}, "colour"),
])
def test_invalid_edits_name_the_parameter(data, where):
    with pytest.raises(CatalogueError) as info:
        Catalogue.from_dict(data)
    assert info.value.where == where
    assert "服务目录参数" in str(info.value) and "catalogue parameter" in str(info.value)


def test_catalogue_error_is_a_value_error():
    assert issubclass(CatalogueError, ValueError)
