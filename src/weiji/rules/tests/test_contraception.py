"""contraception_service: married mothers of reproductive age not protected on D."""

import pytest

from weiji.rules.tests.make import OTHER_VILLAGE, ev, items, person, rows

D = "2026-03-01"
LISTED = [("contraception_service", "2026-03-01", "2026-03-31", "due")]
W = person(birth="1990-01-01", marital="21")
H = person("H", sex="1", birth="1988-01-01")
CHILD = person("C", birth="2020-05-01", mother="W", village=OTHER_VILLAGE, residency="registered_absent")
MARRIAGE = ev("marriage", "2015-01-01", "H", partner="W")


def run(persons, events=(), on=D):
    return rows(items(persons, [MARRIAGE, *events], on, service="contraception_service"))


def test_listed_for_a_married_mother_living_anywhere_her_child_lives():
    assert run([W, H, CHILD]) == LISTED
    (item,) = items([W, H, CHILD], [MARRIAGE], D, service="contraception_service")
    assert item.responsible == "320981100201"


@pytest.mark.parametrize("persons", [
    [W, H],  # no child
    [W, H, person("C", birth="2026-03-02", mother="W")],  # child born after D
    [person(birth="1976-03-01", marital="21"), H, CHILD],  # 50
    [person(birth="1990-01-01", marital="40"), H, CHILD],  # divorced
])
def test_not_listed(persons):
    assert run(persons) == []


def test_dead_child_counts():
    dead = person("C", birth="2020-05-01", mother="W", death="2020-06-01")
    assert run([W, H, dead]) == LISTED


@pytest.mark.parametrize("events,expected", [
    ([ev("pregnancy_outcome", "2026-01-18", outcome="miscarriage")], LISTED),  # D - 42
    ([ev("pregnancy_outcome", "2026-01-19", outcome="miscarriage")], []),  # D - 41
    ([ev("pregnancy_registered", "2026-01-10", lmp="2025-12-20")], []),  # current pregnancy
    ([ev("contraception", "2026-01-01", method="pill")], []),
    ([ev("contraception", "2012-01-01", method="iud")], []),
    ([ev("contraception", "2012-01-01", "H", method="sterilization")], []),
    ([ev("contraception", "2012-01-01", "H", method="sterilization"),
      ev("contraception", "2013-01-01", "H", method="removed")], LISTED),
])
def test_pregnancy_outcome_and_protection(events, expected):
    assert run([W, H, CHILD], events) == expected
