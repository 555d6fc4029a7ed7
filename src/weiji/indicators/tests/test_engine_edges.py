"""Hand-built cases at the edges of every indicator; engine and reference must both agree."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from weiji.indicators.engine import evaluate_periods
from weiji.indicators.reference import reference_counts
from weiji.rules.facts import District, Event, Person, Unit

D = date.fromisoformat
P1, P2 = D("2026-01-01"), D("2026-06-30")
V = "320981001001"
UNITS = [Unit("320981", "县", "county", None), Unit("320981001", "镇", "town", "320981"),
         Unit(V, "村", "village", "320981001", "220")]


def person(local_id, birth, sex="2", residency="registered_present", **kw):
    return Person(local_id, "", local_id, sex, D(birth), V, residency, **kw)


_SEQ = itertools.count(1)


def ev(person_id, type_, day, **kw):
    return Event(f"E{next(_SEQ):06d}", person_id, type_, D(day), **kw)


def counts(persons, events, code, p1=P1, p2=P2):
    """(numerator, denominator) per population from engine and reference (must agree)."""
    district = District.build(units=UNITS, facilities=[], persons=persons, events=events)
    got = evaluate_periods(district, [(p1, p2)])[(p1, p2)][code]
    ref = reference_counts(district, p1, p2)[code]
    result = []
    for pair in (got, ref):
        result.append({pop: (pair[0][(V, pop)], pair[1][(V, pop)])
                       for pop in ("registered", "inflow")})
    assert result[0] == result[1], f"engine {result[0]} != reference {result[1]}"
    return result[0]


def reg(num, den):
    return {"registered": (num, den), "inflow": (0, 0)}


def births_case(handbook_day, lmp="2025-06-01", birth="2026-03-01", extra=()):
    mother = person("M1", "1995-05-05")
    events = [ev("M1", "pregnancy_registered", "2025-07-15", lmp=D(lmp)),
              ev("M1", "pregnancy_outcome", birth, outcome="live_birth")]
    if handbook_day:
        events.append(ev("M1", "maternal_handbook", handbook_day))
    return [mother], events + list(extra)


@pytest.mark.parametrize("handbook, expected", [
    ("2025-08-30", 1),  # lmp + 90: inside
    ("2025-08-31", 0),  # lmp + 91: outside
    ("2025-06-01", 1),  # on lmp
    ("2025-05-31", 0),  # lmp − 1
    (None, 0),
])
def test_early_registration_window(handbook, expected):
    persons, events = births_case(handbook)
    assert counts(persons, events, "early_registration_rate") == reg(expected, 1)


def test_live_births_twins_and_absent_mothers():
    persons = [person("M1", "1990-01-01"), person("M2", "1990-01-01", "2", "registered_absent"),
               person("M3", "1990-01-01", "2", "inflow", inflow_date=D("2026-12-01"))]
    events = [ev("M1", "pregnancy_outcome", "2026-01-01", outcome="live_birth"),
              ev("M1", "pregnancy_outcome", "2026-01-01", outcome="live_birth"),
              ev("M2", "pregnancy_outcome", "2026-02-01", outcome="live_birth"),
              ev("M3", "pregnancy_outcome", "2026-06-30", outcome="live_birth"),
              ev("M3", "pregnancy_outcome", "2026-07-01", outcome="live_birth"),
              ev("M1", "pregnancy_outcome", "2025-12-31", outcome="live_birth")]
    result = counts(persons, events, "live_births")
    assert result["registered"][0] == 2 and result["inflow"][0] == 1


def test_antenatal_needs_four_visits_and_a_handbook_before_birth():
    visits = [ev("M1", "antenatal_visit", d) for d in
              ("2025-08-01", "2025-10-01", "2025-10-01", "2026-03-01")]  # same day twice
    persons, events = births_case("2025-07-20", extra=visits)
    assert counts(persons, events, "antenatal_5_rate") == reg(1, 1)
    persons, events = births_case("2025-07-20", extra=visits[:3])
    assert counts(persons, events, "antenatal_5_rate") == reg(0, 1)
    persons, events = births_case("2026-03-02", extra=visits)  # handbook after the birth
    assert counts(persons, events, "antenatal_5_rate") == reg(0, 1)


@pytest.mark.parametrize("visit, birth, expected", [
    ("2026-03-04", "2026-03-01", 1),   # discharge = birth + 3
    ("2026-03-03", "2026-03-01", 0),   # before discharge
    ("2026-04-01", "2026-03-01", 1),   # x + 28
    ("2026-04-02", "2026-03-01", 0),   # x + 29
    ("2026-07-01", "2026-06-20", 0),   # after P2: unknown
])
def test_postpartum_window(visit, birth, expected):
    persons, events = births_case(None, birth=birth,
                                  extra=[ev("M1", "postpartum_visit", visit)])
    assert counts(persons, events, "postpartum_visit_rate") == reg(expected, 1)


@pytest.mark.parametrize("death, visit, expected", [
    (None, "2026-03-29", (1, 1)),        # b + 28
    (None, "2026-03-30", (0, 1)),        # b + 29
    ("2026-03-08", None, (0, 0)),        # died on b + 7: not counted
    ("2026-03-09", "2026-03-02", (1, 1)),  # died on b + 8: counted
])
def test_newborn_visit(death, visit, expected):
    child = person("C1", "2026-03-01", death_date=death and D(death))
    events = [ev("C1", "newborn_visit", visit)] if visit else []
    assert counts([child], events, "newborn_visit_rate") == reg(*expected)


def test_newborn_dying_after_p2_within_seven_days_still_counts_when_p2_first():
    child = person("C1", "2026-06-28", death_date=D("2026-07-02"))
    assert counts([child], [], "newborn_visit_rate") == reg(0, 1)


def test_child_turning_seven_on_p2_leaves_the_denominator():
    children = [person("C1", "2019-06-30"), person("C2", "2019-07-01")]
    events = [ev("C2", "child_checkup", "2026-01-01"), ev("C1", "child_checkup", "2026-02-01")]
    assert counts(children, events, "child_health_mgmt_rate") == reg(1, 1)


def test_leap_day_child_age():
    # Born 2020-02-29; on 2027-02-28 the child is 7 (relativedelta), so out of the denominator.
    child = person("C1", "2020-02-29")
    p1, p2 = D("2027-02-01"), D("2027-02-28")
    assert counts([child], [], "child_health_mgmt_rate", p1, p2) == reg(0, 0)
    assert counts([child], [], "child_health_mgmt_rate", D("2027-01-01"),
                  D("2027-01-31")) == reg(0, 1)


@pytest.mark.parametrize("inflow, expected_den", [
    ("2025-12-30", 1),  # exactly P2 − 6 months
    ("2025-12-31", 0),
])
def test_elderly_migrants_at_six_months(inflow, expected_den):
    elder = person("O1", "1950-01-01", "1", "inflow", inflow_date=D(inflow))
    result = counts([elder], [ev("O1", "elderly_checkup", "2026-01-01")], "elderly_mgmt_rate")
    assert result["inflow"] == (expected_den, expected_den)


def test_elderly_checkup_window_is_the_calendar_year():
    elder = person("O1", "1961-06-30")  # 65 on P2 exactly
    events = [ev("O1", "elderly_checkup", "2025-12-31")]
    assert counts([elder], events, "elderly_mgmt_rate") == reg(0, 1)
    events = [ev("O1", "elderly_checkup", "2026-01-01")]
    assert counts([elder], events, "elderly_mgmt_rate") == reg(1, 1)


def test_chronic_followup_quarters_and_diagnosis_on_p1():
    p = [person("H1", "1960-01-01"), person("H2", "1960-01-01")]
    events = [ev("H1", "chronic_diagnosis", "2026-01-01", condition="hypertension"),
              ev("H1", "chronic_followup", "2026-01-01", condition="hypertension"),
              ev("H1", "chronic_followup", "2026-06-30", condition="hypertension"),
              ev("H2", "chronic_diagnosis", "2026-01-02", condition="hypertension")]
    assert counts(p, events, "hypertension_followup_rate") == reg(1, 1)
    # Q4 2025 overlaps a period starting 2025-12-01: a follow-up in October counts.
    events2 = [ev("H1", "chronic_diagnosis", "2025-01-01", condition="diabetes"),
               ev("H1", "chronic_followup", "2025-10-05", condition="diabetes")]
    assert counts(p, events2, "diabetes_followup_rate", D("2025-12-01"),
                  D("2025-12-31")) == reg(1, 1)


def _married_mother(extra):
    mother = person("W1", "1990-03-03", marital_status="20")
    child = person("K1", "2020-01-01", mother="W1")
    return [mother, child], list(extra)


@pytest.mark.parametrize("events, expected", [
    ([("contraception", "2026-04-01", "pill")], (1, 1)),        # P2 − 90
    ([("contraception", "2026-03-31", "pill")], (0, 1)),        # P2 − 91
    ([("contraception", "2020-03-31", "iud"), ("contraception", "2026-06-30", "removed")], (0, 1)),
    ([("contraception", "2026-06-30", "iud"), ("contraception", "2026-06-30", "removed")], (1, 1)),
    ([("pregnancy_outcome", "2026-05-20", "live_birth")], (0, 0)),  # P2 − 41: excluded
    ([("pregnancy_outcome", "2026-05-19", "miscarriage")], (0, 1)),  # P2 − 42: included
])
def test_contraception_coverage(events, expected):
    built = []
    for type_, day, value in events:
        kw = {"method": value} if type_ == "contraception" else {"outcome": value}
        built.append(ev("W1", type_, day, **kw))
    persons, built = _married_mother(built)
    assert counts(persons, built, "contraception_coverage") == reg(*expected)


def test_spouse_sterilization_protects():
    persons, _ = _married_mother([])
    husband = person("H1", "1988-01-01", "1")
    events = [ev("H1", "marriage", "2015-01-01", partner="W1"),
              ev("H1", "contraception", "2019-01-01", method="sterilization")]
    assert counts(persons + [husband], events, "contraception_coverage") == reg(1, 1)


@pytest.mark.parametrize("day, expected", [("2025-06-30", 1), ("2025-06-29", 0), ("2026-07-01", 0)])
def test_fp_guidance_window(day, expected):
    woman = person("W1", "1990-03-03", marital_status="21")
    events = [ev("W1", "contraception", day, method="removed")]
    assert counts([woman], events, "fp_guidance_coverage") == reg(expected, 1)


@pytest.mark.parametrize("birth, given, expected", [
    ("2026-01-01", "2026-01-31", (1, 1)),    # bcg_1 target = b, given b + 30
    ("2026-01-01", "2026-02-01", (0, 1)),    # b + 31
    ("2025-12-31", "2026-01-01", (0, 0)),    # target before P1
    ("2026-06-30", "2026-06-29", (0, 1)),    # given before birth? earliest record counts …
])
def test_vaccine_timely_bcg(birth, given, expected):
    child = person("C1", birth)
    events = [Event("V1", "C1", "vaccination", D(given), vaccine="bcg", dose=1)]
    if D(given) < D(birth):
        events = []
    assert counts([child], events, "vaccine_timely_rate:bcg_1") == reg(*expected)


def test_vaccine_timely_month_end_clamp_and_versions():
    # Born 2025-08-31 (2025 schedule): dtap_1 at 2 months = 2025-10-31 → period Oct 2025.
    child = person("C1", "2025-08-31")
    events = [Event("V1", "C1", "vaccination", D("2025-11-30"), vaccine="dtap", dose=1)]
    assert counts([child], events, "vaccine_timely_rate:dtap_1", D("2025-10-01"),
                  D("2025-10-31")) == reg(0, 1)  # cut at P2
    assert counts([child], events, "vaccine_timely_rate:dtap_1", D("2025-10-01"),
                  D("2025-11-30")) == reg(1, 1)
    old = person("C2", "2024-12-31")  # 2021 schedule: dtap_1 at 3 months
    assert counts([old], [], "vaccine_timely_rate:dtap_1", D("2025-03-01"),
                  D("2025-03-31")) == reg(0, 1)


def test_fully_vaccinated_lag_and_previous_dose():
    child = person("C1", "2026-05-31")  # hepb_1/bcg_1 eligible 05-31 = P2 − 30 → due
    assert counts([child], [], "fully_vaccinated_rate") == reg(0, 1)
    younger = person("C2", "2026-06-01")  # eligible P2 − 29: nothing due yet
    assert counts([younger], [], "fully_vaccinated_rate") == reg(1, 1)
    doses = [Event("V1", "C1", "vaccination", D("2026-05-31"), vaccine="hepb", dose=1),
             Event("V2", "C1", "vaccination", D("2026-05-31"), vaccine="bcg", dose=1)]
    assert counts([child], doses, "fully_vaccinated_rate") == reg(1, 1)


def test_mortality():
    persons = [
        person("M1", "1990-01-01", death_date=D("2026-04-12")),  # outcome + 42
        person("M2", "1990-01-01", death_date=D("2026-04-13")),  # outcome + 43
        person("M3", "1990-01-01", death_date=D("2026-02-01")),  # old lost pregnancy, open
        person("I1", "2025-03-01", death_date=D("2026-02-28")),  # infant < 1 year
        person("I2", "2025-03-01", death_date=D("2026-03-01")),  # exactly 1 year
    ]
    events = [ev("M1", "pregnancy_outcome", "2026-03-01", outcome="miscarriage"),
              ev("M2", "pregnancy_outcome", "2026-03-01", outcome="live_birth"),
              ev("M3", "pregnancy_registered", "2024-02-01", lmp=D("2024-01-01"))]
    assert counts(persons, events, "maternal_mortality") == reg(2, 1)
    assert counts(persons, events, "infant_mortality") == reg(1, 1)
