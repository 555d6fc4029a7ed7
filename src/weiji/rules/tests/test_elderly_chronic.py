"""elderly_checkup (65+, yearly) and chronic_followup_<condition> (quarterly)."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows


@pytest.mark.parametrize("kwargs,events,on,expected", [
    ({"birth": "1961-03-01"}, [], "2026-03-01", [("elderly_checkup", "2026-01-01", "2026-12-31", "due")]),
    ({"birth": "1961-03-02"}, [], "2026-03-01", []),  # 65 tomorrow
    ({"birth": "1950-01-01"}, [ev("elderly_checkup", "2026-01-01")], "2026-03-01", []),
    ({"birth": "1950-01-01"}, [ev("elderly_checkup", "2025-12-31")], "2026-03-01",
     [("elderly_checkup", "2026-01-01", "2026-12-31", "due")]),
    ({"birth": "1950-01-01"}, [ev("elderly_checkup", "2026-03-02")], "2026-03-01",
     [("elderly_checkup", "2026-01-01", "2026-12-31", "due")]),
    # migrants once they have lived here 6 months (D - 6 months, clamped)
    ({"birth": "1950-01-01", "residency": "inflow", "inflow": "2025-09-01"}, [], "2026-03-01",
     [("elderly_checkup", "2026-01-01", "2026-12-31", "due")]),
    ({"birth": "1950-01-01", "residency": "inflow", "inflow": "2025-09-02"}, [], "2026-03-01", []),
    ({"birth": "1950-01-01", "residency": "inflow", "inflow": "2026-02-28"}, [], "2026-08-31",
     [("elderly_checkup", "2026-01-01", "2026-12-31", "due")]),
    ({"birth": "1950-01-01", "residency": "inflow", "inflow": "2026-03-01"}, [], "2026-08-31", []),
    ({"birth": "1950-01-01", "death": "2026-03-01"}, [], "2026-03-01", []),
])
def test_elderly_checkup(kwargs, events, on, expected):
    assert rows(items([person(**kwargs)], events, on, service="elderly_checkup")) == expected


Q1 = ("2026-01-01", "2026-03-31", "due")


@pytest.mark.parametrize("events,on,expected", [
    ([ev("chronic_diagnosis", "2026-03-01", condition="hypertension")], "2026-03-01",
     [("chronic_followup_hypertension", *Q1)]),
    ([ev("chronic_diagnosis", "2026-03-02", condition="hypertension")], "2026-03-01", []),
    ([ev("chronic_diagnosis", "2020-01-01", condition="diabetes"),
      ev("chronic_followup", "2026-01-01", condition="diabetes")], "2026-03-01", []),
    ([ev("chronic_diagnosis", "2020-01-01", condition="diabetes"),
      ev("chronic_followup", "2025-12-31", condition="diabetes")], "2026-03-01",
     [("chronic_followup_diabetes", *Q1)]),
    ([ev("chronic_diagnosis", "2020-01-01", condition="diabetes"),
      ev("chronic_diagnosis", "2021-01-01", condition="hypertension"),
      ev("chronic_followup", "2026-02-01", condition="hypertension")], "2026-03-01",
     [("chronic_followup_diabetes", *Q1)]),
    ([ev("chronic_diagnosis", "2020-01-01", condition="diabetes")], "2026-12-01",
     [("chronic_followup_diabetes", "2026-10-01", "2026-12-31", "due")]),
])
def test_chronic_followup(events, on, expected):
    found = items([person(birth="1960-01-01")], events, on)
    assert rows([i for i in found if i.service.startswith("chronic_")]) == expected
