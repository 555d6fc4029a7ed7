"""Campaign targets, attendance, rates, pass and rank on hand-built facts (no database)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from weiji.campaigns.acceptance import (
    campaign_results,
    campaign_targets,
    format_rate,
    lagging_villages,
    report_row,
    zone_results,
)
from weiji.campaigns.definition import DefinitionError, definition_from_yaml
from weiji.rules.facts import District, Event, Facility, Person, Unit

SPEC = """
code: t
name: 测试活动
start: 2018-04-23
end: 2018-05-25
target: {rule: spring_women_checkup, born_on_or_after: 1973-01-01}
thresholds:
  rural: {attendance: 0.85, visit: 0.97}
  urban: {attendance: 0.50, visit: 0.70}
"""
S = date(2018, 4, 23)
END = date(2018, 5, 25)

UNITS = [
    Unit("320981", "县", "county", None),
    Unit("320981100", "镇", "town", "320981"),
    Unit("320981100Z01", "管区", "zone", "320981100"),
    Unit("320981100201", "乡村", "village", "320981100Z01", "210"),
    Unit("320981100001", "社区", "village", "320981100", "121"),
    Unit("320981100002", "空村", "village", "320981100", "220"),
]
FACILITIES = [
    Facility("HC", "卫生院", "health_center", "320981100", ("320981100",)),
    Facility("CC", "社区中心", "community_center", "320981100001", ()),
    Facility("VC", "村卫生室", "village_clinic", "320981100201", ("320981100201",)),
]


def woman(local_id, *, village="320981100201", born=date(1990, 1, 1), status="20",
          residency="registered_present", inflow=None, sex="2", death=None, mother=None):
    return Person(local_id, "", local_id, sex, born, village, residency, inflow, status,
                  mother, death)


def ev(eid, person, type_, day, facility=None, partner=None):
    return Event(eid, person, type_, day, facility_code=facility, partner=partner)


def build(persons, events=()):
    return District.build(units=UNITS, facilities=FACILITIES, persons=persons, events=events)


def defn(text=SPEC):
    return definition_from_yaml(text, source="test.yaml")


def test_target_rule_conditions_on_start_date():
    persons = [
        woman("born_on_limit", born=date(1973, 1, 1)),  # + one child below
        woman("born_day_before", born=date(1972, 12, 31)),
        woman("kid1", born=date(2015, 1, 1), status="", mother="born_on_limit"),
        woman("kid2", born=date(2015, 1, 1), status="", mother="born_day_before"),
        woman("married_365_ago", status=""),
        woman("married_364_ago", status=""),
        woman("two_children"),
        woman("c1", born=date(2010, 1, 1), status="", mother="two_children"),
        woman("c2", born=date(2012, 1, 1), status="", mother="two_children"),
        woman("birth_reg_on_s"),
        woman("birth_reg_after_s"),
        woman("inflow_arrived", residency="inflow", inflow=S),
        woman("inflow_later", residency="inflow", inflow=date(2018, 4, 24)),
        woman("divorced_inflow", residency="inflow", inflow=date(2017, 1, 1), status="40"),
        woman("man", sex="1", residency="inflow", inflow=date(2017, 1, 1)),
        woman("absent", residency="registered_absent"),
    ]
    events = [
        ev("M1", "married_365_ago", "marriage", date(2017, 4, 23)),
        ev("M2", "married_364_ago", "marriage", date(2017, 4, 24)),
        ev("B1", "birth_reg_on_s", "birth_registration", S),
        ev("B2", "birth_reg_after_s", "birth_registration", date(2018, 4, 24)),
    ]
    targets = campaign_targets(build(persons, events), defn())
    ids = sorted(p.local_id for p in targets["320981100201"])
    assert ids == ["birth_reg_on_s", "born_on_limit", "inflow_arrived", "married_364_ago"]
    assert targets["320981100002"] == []


def test_marriage_on_the_husband_counts_for_the_wife():
    persons = [woman("wife", status=""), woman("husband", sex="1", status="")]
    events = [ev("M1", "husband", "marriage", date(2018, 1, 1), partner="wife")]
    targets = campaign_targets(build(persons, events), defn())
    assert [p.local_id for p in targets["320981100201"]] == ["wife"]


def test_attendance_on_first_and_last_day_and_not_at_village_clinic():
    persons = [woman(f"W{i}", residency="inflow", inflow=date(2017, 1, 1)) for i in range(6)]
    events = [
        ev("E0", "W0", "health_checkup", S, "HC"),  # first day
        ev("E1", "W1", "health_checkup", END, "CC"),  # last day, another centre
        ev("E2", "W2", "health_checkup", date(2018, 4, 22), "HC"),  # day before
        ev("E3", "W3", "health_checkup", date(2018, 5, 26), "HC"),  # day after
        ev("E4", "W4", "health_checkup", date(2018, 5, 1), "VC"),  # village clinic
        ev("E5", "W4", "home_visit", date(2018, 5, 2)),
        ev("E6", "W5", "home_visit", END),
        ev("E7", "W2", "home_visit", date(2018, 4, 22)),
    ]
    results = {r.village_code: r for r in campaign_results(build(persons, events), defn())}
    r = results["320981100201"]
    assert (r.targets, r.attended, r.visited) == (6, 2, 4)
    assert r.urban_rural == "rural"
    assert report_row(r)["attendance_rate"] == "0.3333"
    assert report_row(r)["visit_rate"] == "0.6667"
    assert r.passed is False and r.rank == 1
    empty = report_row(results["320981100002"])
    assert empty == {"village_code": "320981100002", "urban_rural": "rural", "targets": "0",
                     "attended": "0", "visited": "0", "attendance_rate": "",
                     "visit_rate": "", "pass": "", "rank": ""}


def test_progress_until_a_day_counts_only_what_happened():
    persons = [woman("A", residency="inflow", inflow=date(2017, 1, 1)),
               woman("B", residency="inflow", inflow=date(2017, 1, 1))]
    events = [ev("E1", "A", "health_checkup", date(2018, 5, 1), "HC"),
              ev("E2", "B", "health_checkup", date(2018, 5, 3), "HC")]
    d = build(persons, events)
    results = campaign_results(d, defn(), until=date(2018, 5, 1), today=date(2018, 5, 1))
    r = {x.village_code: x for x in results}["320981100201"]
    assert (r.attended, r.attended_today, r.visited_today) == (1, 1, 1)


def test_pass_compares_exact_fractions_and_thresholds_by_class():
    # urban village: 1 of 2 attended (0.5 ≥ 0.50), 3 of 4 visited (0.75 ≥ 0.70) → pass.
    persons = [woman(f"U{i}", village="320981100001", residency="inflow",
                     inflow=date(2017, 1, 1)) for i in range(4)]
    events = [ev("E1", "U0", "health_checkup", S, "HC"),
              ev("E2", "U1", "health_checkup", S, "HC"),
              ev("E3", "U2", "home_visit", S)]
    r = {x.village_code: x for x in campaign_results(build(persons, events), defn())}
    assert r["320981100001"].urban_rural == "urban"
    assert r["320981100001"].passed is True
    # The same with an attendance threshold of 0.5001 fails although 0.5 rounds to 0.5000.
    strict = defn(SPEC.replace("urban: {attendance: 0.50", "urban: {attendance: 0.5001"))
    assert {x.village_code: x for x in campaign_results(
        build(persons, events), strict)}["320981100001"].passed is False


def test_rank_by_visit_then_attendance_then_code():
    persons = [woman("A1", village="320981100001", residency="inflow", inflow=date(2017, 1, 1)),
               woman("B1", village="320981100201", residency="inflow", inflow=date(2017, 1, 1))]
    events = [ev("E1", "A1", "home_visit", S), ev("E2", "B1", "health_checkup", S, "HC")]
    r = {x.village_code: x for x in campaign_results(build(persons, events), defn())}
    assert r["320981100201"].rank == 1  # same visit rate, higher attendance
    assert r["320981100001"].rank == 2
    assert r["320981100002"].rank is None
    zones = {z.zone_code: z for z in zone_results(r.values())}
    assert zones["320981100Z01"].attendance == Fraction(1)
    lagging = lagging_villages(r.values(), defn())
    assert [x.village_code for x in lagging] == ["320981100001"]  # urban, attendance 0


@pytest.mark.parametrize(("fraction", "text"), [
    (Fraction(2, 3), "0.6667"), (Fraction(1, 3), "0.3333"), (Fraction(1), "1.0000"),
    (Fraction(0), "0.0000"), (Fraction(1, 8), "0.1250"), (Fraction(1, 20000), "0.0001"),
    (Fraction(1, 20001), "0.0000"), (Fraction(5, 16), "0.3125"), (Fraction(3, 80000), "0.0000"),
])
def test_rates_round_half_up(fraction, text):
    assert format_rate(fraction) == text


@pytest.mark.parametrize(("text", "field"), [
    (SPEC.replace("start: 2018-04-23", "start: 2018-13-01"), "start"),
    (SPEC.replace("end: 2018-05-25", "end: 2018-04-01"), "end"),
    (SPEC.replace("spring_women_checkup", "nobody"), "target.rule"),
    (SPEC.replace(", born_on_or_after: 1973-01-01", ""), "target.born_on_or_after"),
    (SPEC.replace("visit: 0.97", "visit: 1.5"), "thresholds.rural.visit"),
    (SPEC.replace("  urban: {attendance: 0.50, visit: 0.70}\n", ""), "thresholds.urban"),
    ("code: [", "(file)"),
])
def test_definition_errors_name_the_field(text, field):
    with pytest.raises(DefinitionError) as exc:
        defn(text)
    assert f"test.yaml: {field}:" in str(exc.value)
    assert " / " in str(exc.value)
