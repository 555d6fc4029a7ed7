"""Reference evaluation of the default indicators (indicators.md), one plain function each.

This is the brute force the production engine (``engine.py``) is tested against: every
indicator is written out directly from the spec's table and its "Readings (binding)", person
by person, with the catalogue terms of ``weiji.rules.terms``. It is pure (no Django) and
slow on purpose — clarity first.

Each function returns ``(numerator, denominator)`` Counters keyed by
``(village_code, population)`` with population ``registered`` or ``inflow``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from weiji.rules.dates import add_days, add_months, age_years, quarter_bounds
from weiji.rules.facts import District, Event, Person
from weiji.rules.schedule import Schedule, default_schedule
from weiji.rules.terms import (
    children,
    current_pregnancy,
    discharge,
    in_scope,
    is_married,
    is_protected,
    is_woman_of_reproductive_age,
    pregnancies,
    pregnancy_ended_by,
)

Key = tuple[str, str]
Counts = tuple[Counter, Counter]

FP_GUIDANCE_TYPES = frozenset(
    {"preconception_checkup", "folic_acid", "contraception", "health_checkup", "home_visit"}
)


def population_of(person: Person) -> str | None:
    """A person's population (their residency); ``registered_absent`` is in no row."""
    if person.residency == "registered_present":
        return "registered"
    if person.residency == "inflow":
        return "inflow"
    return None


def known_on(district: District, on: date) -> District:
    """The district with every event dated after ``on`` dropped (events after P2 are unknown)."""
    events = [ev for evs in district.events.values() for ev in evs if ev.date <= on]
    return District.build(
        units=district.units.values(), facilities=district.facilities.values(),
        persons=district.persons.values(), events=events,
    )


def _events(district: District, person: Person, type_: str) -> list[Event]:
    return [ev for ev in district.events.get(person.local_id, ()) if ev.type == type_]


def _any_in(events: list[Event], start: date, end: date) -> bool:
    return any(start <= ev.date <= end for ev in events)


def _key(person: Person) -> Key | None:
    pop = population_of(person)
    return None if pop is None else (person.village_code, pop)


def _live_births(district: District, p1: date, p2: date) -> list[tuple[Person, Event]]:
    """Live-birth outcome events dated in the period, mother not registered_absent."""
    found = []
    for person in district.persons.values():
        if population_of(person) is None:
            continue
        for ev in _events(district, person, "pregnancy_outcome"):
            if ev.outcome == "live_birth" and p1 <= ev.date <= p2:
                found.append((person, ev))
    return found


def _birth_lmp(district: District, mother: Person, birth: Event, p2: date) -> date | None:
    """The lmp of the pregnancy this outcome ends (registrations known on P2)."""
    lmps = [preg.lmp for preg in pregnancies(district, mother.local_id, p2)]
    return pregnancy_ended_by(lmps, birth.date)


def _birth_based(
    district: District, p1: date, p2: date, test: Callable[[Person, Event], bool]
) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    for mother, birth in _live_births(district, p1, p2):
        key = _key(mother)
        den[key] += 1
        if test(mother, birth):
            num[key] += 1
    return num, den


def live_births(district: District, p1: date, p2: date) -> Counts:
    num, _ = _birth_based(district, p1, p2, lambda m, b: True)
    return num, Counter()


def early_registration_rate(district: District, p1: date, p2: date) -> Counts:
    def test(mother: Person, birth: Event) -> bool:
        lmp = _birth_lmp(district, mother, birth, p2)
        return lmp is not None and _any_in(
            _events(district, mother, "maternal_handbook"), lmp, add_days(lmp, 90)
        )
    return _birth_based(district, p1, p2, test)


def antenatal_5_rate(district: District, p1: date, p2: date) -> Counts:
    def test(mother: Person, birth: Event) -> bool:
        lmp = _birth_lmp(district, mother, birth, p2)
        if lmp is None:
            return False
        if not _any_in(_events(district, mother, "maternal_handbook"), lmp, birth.date):
            return False
        visits = [ev for ev in _events(district, mother, "antenatal_visit")
                  if lmp <= ev.date <= birth.date]
        return len(visits) >= 4
    return _birth_based(district, p1, p2, test)


def postpartum_visit_rate(district: District, p1: date, p2: date) -> Counts:
    def test(mother: Person, birth: Event) -> bool:
        x = discharge(birth)
        return _any_in(_events(district, mother, "postpartum_visit"), x,
                       min(add_days(x, 28), p2))
    return _birth_based(district, p1, p2, test)


def newborn_visit_rate(district: District, p1: date, p2: date) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    for child in district.persons.values():
        key = _key(child)
        b = child.birth_date
        if key is None or not p1 <= b <= p2:
            continue
        if child.death_date is not None and child.death_date <= min(add_days(b, 7), p2):
            continue
        den[key] += 1
        if _any_in(_events(district, child, "newborn_visit"), b, min(add_days(b, 28), p2)):
            num[key] += 1
    return num, den


def _young_children(district: District, p2: date) -> list[Person]:
    return [p for p in district.persons.values()
            if population_of(p) and in_scope(p, p2) and age_years(p.birth_date, p2) < 7]


def child_health_mgmt_rate(district: District, p1: date, p2: date) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    for child in _young_children(district, p2):
        key = _key(child)
        den[key] += 1
        events = _events(district, child, "newborn_visit") + _events(district, child, "child_checkup")
        if _any_in(events, p1, p2):
            num[key] += 1
    return num, den


def _first_dose_date(district: District, child: Person, vaccine: str, dose: int) -> date | None:
    dates = [ev.date for ev in _events(district, child, "vaccination")
             if ev.vaccine == vaccine and ev.dose == dose]
    return min(dates) if dates else None


def vaccine_timely_rate(
    district: District, p1: date, p2: date, vaccine: str, dose: int,
    schedule: Schedule | None = None,
) -> Counts:
    schedule = schedule or default_schedule()
    num: Counter = Counter()
    den: Counter = Counter()
    for child in district.persons.values():
        key = _key(child)
        if key is None or not in_scope(child, p2):
            continue
        for sd in schedule.doses_for(child.birth_date):
            if sd.vaccine != vaccine or sd.dose != dose:
                continue
            target = add_months(child.birth_date, sd.age_months)
            if not p1 <= target <= p2:
                continue
            den[key] += 1
            given = _first_dose_date(district, child, vaccine, dose)
            if given is not None and given <= min(add_days(target, 30), p2):
                num[key] += 1
    return num, den


def fully_vaccinated(district: District, child: Person, p2: date, schedule: Schedule) -> bool:
    """Every dose eligible by P2 − 30 and not past its age limit on P2 is recorded."""
    b = child.birth_date
    cutoff = add_days(p2, -30)
    for sd in schedule.doses_for(b):
        if p2 >= add_months(b, sd.max_age_months):
            continue
        if sd.dose == 1:
            eligible = add_months(b, sd.age_months)
        else:
            previous = _first_dose_date(district, child, sd.vaccine, sd.dose - 1)
            if previous is None:
                continue
            eligible = max(add_months(b, sd.age_months), add_days(previous, sd.min_interval_days))
        if eligible <= cutoff and _first_dose_date(district, child, sd.vaccine, sd.dose) is None:
            return False
    return True


def fully_vaccinated_rate(district: District, p1: date, p2: date) -> Counts:
    schedule = default_schedule()
    num: Counter = Counter()
    den: Counter = Counter()
    for child in _young_children(district, p2):
        key = _key(child)
        den[key] += 1
        if fully_vaccinated(district, child, p2, schedule):
            num[key] += 1
    return num, den


def elderly_mgmt_rate(district: District, p1: date, p2: date) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    for person in district.persons.values():
        key = _key(person)
        if key is None or not in_scope(person, p2) or age_years(person.birth_date, p2) < 65:
            continue
        if person.residency == "inflow" and not person.inflow_date <= add_months(p2, -6):
            continue
        den[key] += 1
        if _any_in(_events(district, person, "elderly_checkup"), date(p2.year, 1, 1), p2):
            num[key] += 1
    return num, den


def _quarters(p1: date, p2: date) -> list[tuple[date, date]]:
    quarters = []
    start, end = quarter_bounds(p1)
    while start <= p2:
        quarters.append((start, end))
        start, end = quarter_bounds(add_days(end, 1))
    return quarters


def chronic_followup_rate(district: District, p1: date, p2: date, condition: str) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    quarters = _quarters(p1, p2)
    for person in district.persons.values():
        key = _key(person)
        if key is None or not in_scope(person, p2):
            continue
        diagnoses = [ev for ev in _events(district, person, "chronic_diagnosis")
                     if ev.condition == condition and ev.date <= p1]
        if not diagnoses:
            continue
        den[key] += 1
        followups = [ev for ev in _events(district, person, "chronic_followup")
                     if ev.condition == condition]
        if all(_any_in(followups, qs, min(qe, p2)) for qs, qe in quarters):
            num[key] += 1
    return num, den


def _married_woman(district: District, person: Person, p2: date) -> bool:
    return (population_of(person) is not None and in_scope(person, p2)
            and is_woman_of_reproductive_age(person, p2) and is_married(district, person, p2))


def contraception_coverage(district: District, p1: date, p2: date) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    for person in district.persons.values():
        if not _married_woman(district, person, p2):
            continue
        if not children(district, person.local_id, p2):
            continue
        if current_pregnancy(district, person.local_id, p2) is not None:
            continue
        if _any_in(_events(district, person, "pregnancy_outcome"), add_days(p2, -41), p2):
            continue
        key = _key(person)
        den[key] += 1
        if is_protected(district, person, p2):
            num[key] += 1
    return num, den


def fp_guidance_coverage(district: District, p1: date, p2: date) -> Counts:
    num: Counter = Counter()
    den: Counter = Counter()
    start = add_days(p2, -365)
    for person in district.persons.values():
        if not _married_woman(district, person, p2):
            continue
        key = _key(person)
        den[key] += 1
        if any(ev.type in FP_GUIDANCE_TYPES and start <= ev.date <= p2
               for ev in district.events.get(person.local_id, ())):
            num[key] += 1
    return num, den


def _died_pregnant_or_postpartum(district: District, person: Person) -> bool:
    death = person.death_date
    if any(preg.is_open for preg in pregnancies(district, person.local_id, death)):
        return True
    return any(ev.date <= death <= add_days(ev.date, 42)
               for ev in _events(district, person, "pregnancy_outcome"))


def maternal_mortality(district: District, p1: date, p2: date) -> Counts:
    _, den = _birth_based(district, p1, p2, lambda m, b: False)
    num: Counter = Counter()
    for person in district.persons.values():
        key = _key(person)
        if key is None or person.death_date is None or not p1 <= person.death_date <= p2:
            continue
        if _died_pregnant_or_postpartum(district, person):
            num[key] += 1
    return num, den


def infant_mortality(district: District, p1: date, p2: date) -> Counts:
    _, den = _birth_based(district, p1, p2, lambda m, b: False)
    num: Counter = Counter()
    for person in district.persons.values():
        key = _key(person)
        if key is None or person.death_date is None or not p1 <= person.death_date <= p2:
            continue
        if age_years(person.birth_date, person.death_date) < 1:
            num[key] += 1
    return num, den


def reference_counts(district: District, p1: date, p2: date) -> dict[str, Counts]:
    """Every default indicator's village-level counts for the period [p1, p2]."""
    district = known_on(district, p2)
    schedule = default_schedule()
    result: dict[str, Counts] = {
        "live_births": live_births(district, p1, p2),
        "early_registration_rate": early_registration_rate(district, p1, p2),
        "antenatal_5_rate": antenatal_5_rate(district, p1, p2),
        "postpartum_visit_rate": postpartum_visit_rate(district, p1, p2),
        "newborn_visit_rate": newborn_visit_rate(district, p1, p2),
        "child_health_mgmt_rate": child_health_mgmt_rate(district, p1, p2),
        "fully_vaccinated_rate": fully_vaccinated_rate(district, p1, p2),
        "elderly_mgmt_rate": elderly_mgmt_rate(district, p1, p2),
        "hypertension_followup_rate": chronic_followup_rate(district, p1, p2, "hypertension"),
        "diabetes_followup_rate": chronic_followup_rate(district, p1, p2, "diabetes"),
        "contraception_coverage": contraception_coverage(district, p1, p2),
        "fp_guidance_coverage": fp_guidance_coverage(district, p1, p2),
        "maternal_mortality": maternal_mortality(district, p1, p2),
        "infant_mortality": infant_mortality(district, p1, p2),
    }
    for code in schedule.dose_codes():
        vaccine, dose = code.rsplit("_", 1)
        result[f"vaccine_timely_rate:{code}"] = vaccine_timely_rate(
            district, p1, p2, vaccine, int(dose), schedule
        )
    return result
