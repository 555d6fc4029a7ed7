"""The catalogue's terms (service-catalogue.md "Terms")."""

import pytest

from weiji.rules.terms import (
    current_pregnancy,
    discharge,
    in_scope,
    is_married,
    is_protected,
    is_woman_of_reproductive_age,
    latest_delivery,
    latest_marriage,
    pregnancies,
    responsible_facility,
    town_of,
)
from weiji.rules.tests.make import OTHER_VILLAGE, VILLAGE, d, district, ev, person


@pytest.mark.parametrize("kwargs,on,expected", [
    ({}, "2026-03-01", True),
    ({"birth": "2026-03-02"}, "2026-03-01", False),  # born after D
    ({"birth": "2026-03-01"}, "2026-03-01", True),
    ({"death": "2026-03-01"}, "2026-03-01", False),  # death on D
    ({"death": "2026-03-02"}, "2026-03-01", True),  # death after D is not known
    ({"residency": "registered_absent"}, "2026-03-01", False),
    ({"residency": "inflow", "inflow": "2026-03-01"}, "2026-03-01", True),
    ({"residency": "inflow", "inflow": "2026-03-02"}, "2026-03-01", False),
])
def test_in_scope(kwargs, on, expected):
    assert in_scope(person(**kwargs), d(on)) is expected


@pytest.mark.parametrize("sex,birth,on,expected", [
    ("2", "2011-03-01", "2026-03-01", True),  # 15 today
    ("2", "2011-03-02", "2026-03-01", False),  # 15 tomorrow
    ("2", "1976-03-02", "2026-03-01", True),  # 49 until tomorrow
    ("2", "1976-03-01", "2026-03-01", False),  # 50 today
    ("1", "1995-01-01", "2026-03-01", False),
])
def test_woman_of_reproductive_age(sex, birth, on, expected):
    assert is_woman_of_reproductive_age(person(sex=sex, birth=birth), d(on)) is expected


@pytest.mark.parametrize("marital,events,expected", [
    ("21", [], True),
    ("20", [], True),
    ("40", [ev("marriage", "2025-06-01", "W")], False),  # the status is current
    ("90", [ev("marriage", "2025-06-01", "W")], False),
    ("", [ev("marriage", "2025-06-01", "W")], True),
    ("", [ev("marriage", "2026-03-02", "W")], False),  # after D
    ("", [ev("marriage", "2025-06-01", "H", partner="W")], True),  # recorded on the husband
    ("", [], False),
])
def test_married(marital, events, expected):
    dist = district([person(marital=marital), person("H", sex="1")], events)
    assert is_married(dist, dist.persons["W"], d("2026-03-01")) is expected


def test_latest_marriage_orders_by_date_then_event_id_and_finds_the_spouse():
    events = [
        ev("marriage", "2020-01-01", "W", event_id="E1", partner="X"),
        ev("marriage", "2025-06-01", "H", event_id="E3", partner="W"),
        ev("marriage", "2025-06-01", "W", event_id="E2"),
        ev("marriage", "2026-04-01", "W", event_id="E4", partner="Y"),
    ]
    dist = district([person(), person("H", sex="1")], events)
    m = latest_marriage(dist, "W", d("2026-03-01"))
    assert (m.date, m.event_id, m.spouse) == (d("2025-06-01"), "E3", "H")


def test_pregnancies_same_lmp_is_one_and_outcome_ends_latest_before_it():
    events = [
        ev("pregnancy_registered", "2025-02-01", event_id="R1", lmp="2025-01-01"),
        ev("pregnancy_registered", "2025-03-01", event_id="R2", lmp="2025-01-01"),
        ev("pregnancy_registered", "2025-11-20", event_id="R3", lmp="2025-10-01"),
        ev("pregnancy_outcome", "2025-10-10", event_id="O1", outcome="live_birth"),
        ev("pregnancy_registered", "2026-02-01", event_id="R4", lmp="2026-03-10"),  # lmp after D
    ]
    found = pregnancies(district([person()], events), "W", d("2026-03-01"))
    assert [(p.lmp, p.registrations) for p in found] == [
        (d("2025-01-01"), ("R1", "R2")), (d("2025-10-01"), ("R3",))
    ]
    # the outcome of 2025-10-10 is after the 2025-10-01 lmp: it ends that one, not the first
    assert [p.ended_by and p.ended_by.event_id for p in found] == [None, "O1"]


@pytest.mark.parametrize("outcome_day,ends", [
    ("2025-11-05", True),  # lmp + 308
    ("2025-11-06", False),  # lmp + 309: ends none
])
def test_outcome_ends_at_most_308_days_after_lmp(outcome_day, ends):
    events = [
        ev("pregnancy_registered", "2025-02-01", lmp="2025-01-01"),
        ev("pregnancy_outcome", outcome_day, outcome="stillbirth"),
    ]
    (preg,) = pregnancies(district([person()], events), "W", d("2026-03-01"))
    assert (not preg.is_open) is ends


def test_twins_second_outcome_ends_nothing_else():
    events = [
        ev("pregnancy_registered", "2024-03-01", lmp="2024-01-15"),
        ev("pregnancy_registered", "2025-02-01", lmp="2025-01-01"),
        ev("pregnancy_outcome", "2025-10-01", event_id="O1", outcome="live_birth"),
        ev("pregnancy_outcome", "2025-10-01", event_id="O2", outcome="live_birth"),
    ]
    found = pregnancies(district([person()], events), "W", d("2026-03-01"))
    assert [p.is_open for p in found] == [True, False]
    assert found[1].ended_by.event_id == "O1"
    assert latest_delivery(district([person()], events), "W", d("2026-03-01")).event_id == "O2"


@pytest.mark.parametrize("on,current", [
    ("2025-11-07", True),  # EDD + 30 (EDD 2025-10-08)
    ("2025-11-08", False),  # EDD + 31: a lead, not current
])
def test_current_pregnancy_until_edd_plus_30(on, current):
    events = [ev("pregnancy_registered", "2025-02-01", lmp="2025-01-01")]
    assert (current_pregnancy(district([person()], events), "W", d(on)) is not None) is current


def test_outcome_after_d_is_not_known():
    events = [
        ev("pregnancy_registered", "2025-02-01", lmp="2025-01-01"),
        ev("pregnancy_outcome", "2025-10-02", outcome="live_birth"),
    ]
    dist = district([person()], events)
    assert current_pregnancy(dist, "W", d("2025-10-01")) is not None
    assert current_pregnancy(dist, "W", d("2025-10-02")) is None


def test_discharge_defaults_to_outcome_plus_3():
    assert discharge(ev("pregnancy_outcome", "2026-01-30", outcome="live_birth")) == d("2026-02-02")
    assert discharge(ev("pregnancy_outcome", "2026-01-30", outcome="live_birth",
                        discharge="2026-02-10")) == d("2026-02-10")


ON = "2026-03-01"


@pytest.mark.parametrize("events,expected", [
    ([ev("contraception", "2010-01-01", method="iud")], True),  # long-acting, never removed
    ([ev("contraception", "2010-01-01", method="iud"),
      ev("contraception", "2020-01-01", method="removed")], False),
    ([ev("contraception", "2010-01-01", method="iud"),
      ev("contraception", "2010-01-01", method="removed")], True),  # removal on the same day
    ([ev("contraception", "2010-01-01", method="implant"),
      ev("contraception", "2026-03-02", method="removed")], True),  # removal after D unknown
    ([ev("contraception", "2010-01-01", method="implant"),
      ev("contraception", "2015-01-01", method="removed"),
      ev("contraception", "2016-01-01", method="sterilization")], True),
    ([ev("contraception", "2025-12-01", method="pill")], True),  # D - 90
    ([ev("contraception", "2025-11-30", method="condom")], False),  # D - 91
    ([ev("contraception", "2026-03-02", method="injection")], False),
    ([ev("contraception", "2010-01-01", "H", method="sterilization")], True),  # spouse
    ([ev("contraception", "2010-01-01", "H", method="sterilization"),
      ev("contraception", "2012-01-01", "H", method="removed")], False),
    ([ev("contraception", "2010-01-01", "H", method="iud")], False),  # only his sterilization
    ([ev("contraception", "2010-01-01", "X", method="sterilization")], False),  # former spouse
])
def test_protected(events, expected):
    marriages = [
        ev("marriage", "2000-01-01", "W", partner="X"),
        ev("marriage", "2008-01-01", "H", partner="W"),
    ]
    people = [person(marital="21"), person("H", sex="1"), person("X", sex="1")]
    dist = district(people, marriages + events)
    assert is_protected(dist, dist.persons["W"], d(ON)) is expected


def test_responsible_facility_and_town():
    dist = district([person()])
    assert responsible_facility(dist, VILLAGE) == "HC03"  # the village clinic never counts
    assert responsible_facility(dist, OTHER_VILLAGE) == "CC01"
    assert town_of(dist, VILLAGE) == "320981100"
    assert responsible_facility(dist, "nowhere") == ""
