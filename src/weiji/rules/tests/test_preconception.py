"""preconception_checkup and folic_acid (孕前优生健康检查, 增补叶酸)."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows

D = "2026-03-01"  # E = 2026-03-31
W = person(birth="1995-05-10")
H = person("H", sex="1", birth="1993-01-01")


def married(day="2025-06-01", on="W", partner="H"):
    return ev("marriage", day, on, partner=partner if on == "W" else "W")


@pytest.mark.parametrize("events,expected", [
    ([married()], [("preconception_checkup", "2025-06-01", "2025-11-28", "overdue")]),
    ([married("2026-02-15")], [("preconception_checkup", "2026-02-15", "2026-08-14", "due")]),
    ([married("2026-03-01")], [("preconception_checkup", "2026-03-01", "2026-08-28", "due")]),
    ([married("2025-03-01")], []),  # m = D - 365: outside (D - 365, D]
    ([married("2025-03-02")], [("preconception_checkup", "2025-03-02", "2025-08-29", "overdue")]),
    ([married("2026-03-02")], []),  # married after D: not known
    ([married(on="H")], [("preconception_checkup", "2025-06-01", "2025-11-28", "overdue")]),
    ([married(), ev("preconception_checkup", "2025-06-01", "W")], []),  # done on m
    ([married(), ev("preconception_checkup", "2025-05-31", "W")],
     [("preconception_checkup", "2025-06-01", "2025-11-28", "overdue")]),
    ([married(), ev("preconception_checkup", "2025-07-01", "H")], []),  # done on the spouse
    ([married(), ev("preconception_checkup", "2026-03-02", "H")],
     [("preconception_checkup", "2025-06-01", "2025-11-28", "overdue")]),  # after D
    ([married(), ev("pregnancy_registered", "2025-08-01", lmp="2025-06-01")], []),  # lmp ≥ m
    ([married(), ev("pregnancy_registered", "2025-07-01", lmp="2025-05-31"),
      ev("pregnancy_outcome", "2025-07-20", outcome="miscarriage")],
     [("preconception_checkup", "2025-06-01", "2025-11-28", "overdue")]),
])
def test_preconception(events, expected):
    assert rows(items([W, H], events, D, service="preconception_checkup")) == expected


def test_preconception_only_for_women_of_reproductive_age_and_married():
    events = [married()]
    assert items([W, H], events, D, "H") == []
    assert items([person(birth="1976-03-01"), H], events, D, service="preconception_checkup") == []
    divorced = person(marital="40")
    assert items([divorced, H], events, D, service="preconception_checkup") == []
    # married by status but no marriage event: no marriage date m, no item
    assert items([person(marital="21")], [], D, service="preconception_checkup") == []


def test_preconception_responsible_is_the_facility_and_basis_the_marriage():
    m = married()
    (item,) = items([W, H], [m], D, service="preconception_checkup")
    assert item.responsible == "HC03"
    assert item.basis == (m.event_id,)


FOLIC = [("folic_acid", "2026-03-01", "2026-03-31", "due")]


@pytest.mark.parametrize("events,expected", [
    ([married()], FOLIC),
    ([married("2025-03-01")], []),
    ([married(), ev("folic_acid", "2026-01-01")], []),  # f + 89 = E: lasts the month
    ([married(), ev("folic_acid", "2025-12-31")], FOLIC),  # runs out on E - 1
    ([married(), ev("folic_acid", "2026-03-02")], FOLIC),  # after D: not known
    ([ev("pregnancy_registered", "2026-01-10", lmp="2025-12-01")], FOLIC),  # GA 90
    ([ev("pregnancy_registered", "2026-01-10", lmp="2025-11-30")], []),  # GA 91
    ([married(), ev("pregnancy_registered", "2026-01-10", lmp="2025-11-30")], []),
    ([married(), ev("pregnancy_registered", "2026-01-10", lmp="2025-11-30"),
      ev("pregnancy_outcome", "2026-02-01", outcome="miscarriage")], FOLIC),  # ended: newly wed
])
def test_folic_acid(events, expected):
    assert rows(items([W, H], events, D, service="folic_acid")) == expected


def test_folic_acid_is_the_village_workers():
    (item,) = items([W, H], [married()], D, service="folic_acid")
    assert item.responsible == "320981100201"
