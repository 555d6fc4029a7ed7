"""Migrant exchange lists: month edges, scope, children under 7, events of inflow women."""

from __future__ import annotations

from datetime import date

import pytest

from weiji.indicators.exchange import csv_text, exchange_lists, parse_month
from weiji.rules.facts import District, Event, Person, Unit

P1, P2 = date(2026, 11, 1), date(2026, 11, 30)
UNITS = [Unit("3209", "县", "county", None), Unit("V1", "村", "village", "3209", "210"),
         Unit("V2", "村", "village", "3209", "210")]


def person(local_id, *, sex="2", born=date(1990, 5, 5), residency="inflow", inflow=date(2020, 1, 1),
           village="V1", death=None):
    return Person(local_id, f"ID{local_id}", f"名{local_id}", sex, born, village, residency,
                  inflow, "", None, death)


def lists(persons, events=()):
    d = District.build(units=UNITS, facilities=[], persons=persons, events=events)
    return exchange_lists(d, month_start=P1, month_end=P2)


def ids(rows):
    return [r["person_local_id"] for r in rows]


def test_new_inflows_month_edges_and_scope():
    got = lists([
        person("a_first", inflow=P1), person("b_last", inflow=P2),
        person("c_before", inflow=date(2026, 10, 31)), person("d_after", inflow=date(2026, 12, 1)),
        person("e_dead", inflow=P1, death=P2), person("f_present", residency="registered_present"),
        person("g_born_after", born=date(2026, 12, 1), inflow=date(2026, 12, 1)),
    ])
    assert ids(got.new_inflows) == ["a_first", "b_last"]


def test_children_younger_than_seven_on_the_last_day():
    got = lists([
        person("seven_on_p2", born=date(2019, 11, 30)),
        person("seven_next_day", born=date(2019, 12, 1)),
        person("newborn_p2", born=P2, inflow=P2),
        person("kid_not_arrived", born=date(2024, 1, 1), inflow=date(2026, 12, 2)),
        person("kid_present", born=date(2024, 1, 1), residency="registered_present"),
    ])
    assert ids(got.children) == ["newborn_p2", "seven_next_day"]


def test_pregnancy_events_of_inflow_women_whatever_else():
    persons = [person("w1"), person("w_dead", death=date(2026, 11, 15)),
               person("man", sex="1"), person("present", residency="registered_present"),
               person("late", residency="", inflow=date(2026, 12, 20), village="V2")]
    events = [
        Event("E1", "w1", "pregnancy_registered", P1, lmp=date(2026, 9, 1)),
        Event("E2", "w1", "pregnancy_outcome", P2, outcome="live_birth"),
        Event("E3", "w1", "pregnancy_registered", date(2026, 10, 31), lmp=date(2026, 9, 1)),
        Event("E4", "w1", "antenatal_visit", date(2026, 11, 5)),
        Event("E5", "w_dead", "pregnancy_outcome", date(2026, 11, 14), outcome="stillbirth"),
        Event("E6", "man", "pregnancy_registered", P1, lmp=date(2026, 9, 1)),
        Event("E7", "present", "pregnancy_registered", P1, lmp=date(2026, 9, 1)),
        Event("E8", "late", "pregnancy_registered", date(2026, 11, 20), lmp=date(2026, 9, 1)),
    ]
    got = lists(persons, events)
    assert [(r["person_local_id"], r["event"], r["event_date"]) for r in
            got.pregnancies_births] == [
        ("w1", "pregnancy_registered", "2026-11-01"), ("w1", "pregnancy_outcome", "2026-11-30"),
        ("w_dead", "pregnancy_outcome", "2026-11-14"),
        ("late", "pregnancy_registered", "2026-11-20"),
    ]
    assert got.pregnancies_births[-1]["village_code"] == "V2"
    assert ids(got.new_inflows) == [] and ids(got.children) == []


def test_rows_sorted_by_village_then_person_and_written_minimally_quoted():
    got = lists([person("b", village="V1", inflow=P1), person("a", village="V2", inflow=P1),
                 person("c", village="V1", inflow=P1)])
    assert [(r["village_code"], r["person_local_id"]) for r in got.new_inflows] == [
        ("V1", "b"), ("V1", "c"), ("V2", "a")]
    text = csv_text(got.new_inflows, ["village_code", "person_local_id", "name"])
    assert text.splitlines()[1] == "V1,b,名b"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "", "2026-11-01"])
def test_parse_month_rejects(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_parse_month_last_day():
    assert parse_month("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
