"""A seeded synthetic district (pure facts) for indicator tests and the benchmark.

Dense in what indicators look at: births and deaths, pregnancies with handbooks and visits,
vaccinations near target dates, married women with contraception, elders, chronic patients,
migrants arriving around six months before a period end. Dates cluster around ``around``.
"""

from __future__ import annotations

import random
from datetime import date

from weiji.rules.dates import add_days, add_months
from weiji.rules.facts import District, Event, Facility, Person, Unit
from weiji.rules.schedule import default_schedule

COUNTY = "320981"
GUIDANCE = ("preconception_checkup", "folic_acid", "health_checkup", "home_visit")
METHODS = ("iud", "implant", "sterilization", "injection", "pill", "condom", "removed")
REALISTIC = (0.24, 0.16, 0.08)  # women 15–49, older women, children 0–6 (rest: men, elders)
OUTCOMES = ("live_birth", "live_birth", "live_birth", "stillbirth", "miscarriage",
            "induced_abortion")


def generate_district(
    *, persons: int = 2000, seed: int = 1, around: date = date(2026, 3, 31),
    towns: int = 2, villages_per_town: int = 4, shares: tuple[float, float, float] = (0.35, 0.2, 0.25),
) -> District:
    """``shares``: fractions of women 14–50, older women, and children (the rest: men/elders).

    The default is dense in the people indicators look at (tests); the benchmark passes a
    demographic mix closer to a real district (``REALISTIC``).
    """
    rng = random.Random(seed)
    wra_end = shares[0]
    older_end = wra_end + shares[1]
    child_end = older_end + shares[2]
    units = [Unit(COUNTY, "测试县", "county", None)]
    villages: list[str] = []
    for t in range(1, towns + 1):
        town = f"{COUNTY}{t:03d}"
        units.append(Unit(town, f"第{t}镇", "town", COUNTY))
        zone = f"{town}Z01"
        units.append(Unit(zone, f"第{t}镇一管区", "zone", town))
        for v in range(1, villages_per_town + 1):
            code = f"{town}{v:03d}"
            units.append(Unit(code, f"第{t}镇{v}村", "village", zone if v % 2 else town,
                              "220" if v % 3 else "112"))
            villages.append(code)
    facilities = [Facility(f"{COUNTY}HC01", "卫生院", "health_center", f"{COUNTY}001",
                           (f"{COUNTY}001",))]
    people: list[Person] = []
    events: list[Event] = []
    counter = [0]

    def eid() -> str:
        counter[0] += 1
        return f"G{counter[0]:08d}"

    def day(center: date, spread: int) -> date:
        return add_days(center, rng.randint(-spread, spread))

    def residency() -> tuple[str, date | None]:
        r = rng.random()
        if r < 0.72:
            return "registered_present", None
        if r < 0.8:
            return "registered_absent", None
        return "inflow", rng.choice([add_months(around, -6), add_months(around, -6),
                                     add_days(add_months(around, -6), 1), day(around, 400)])

    schedule = default_schedule()
    women: list[str] = []
    for i in range(persons):
        local_id = f"Q{i:07d}"
        kind = rng.random()
        is_child = older_end <= kind < child_end
        sex = "2" if kind < older_end else (rng.choice("12") if is_child else "1")
        if kind < wra_end:  # woman of reproductive age
            birth = day(add_months(around, -12 * rng.randint(14, 50)), 200)
        elif kind < older_end:
            birth = day(add_months(around, -12 * rng.randint(55, 95)), 200)
        elif is_child:
            birth = day(around, 7 * 365 // 2 + 60) if rng.random() < 0.8 else day(around, 200)
        else:
            birth = day(add_months(around, -12 * rng.randint(40, 90)), 200)
        res, inflow = residency()
        death = None
        if rng.random() < 0.04:
            death = max(birth, day(around, 200))
        mother = rng.choice(women) if is_child and women and rng.random() < 0.7 else None
        marital = rng.choice(["", "", "20", "21", "10", "40", "90"])
        person = Person(local_id, "", f"人{i}", sex, birth, rng.choice(villages), res, inflow,
                        marital, mother, death)
        people.append(person)
        if sex == "2" and kind < wra_end:
            women.append(local_id)

        def add(type_: str, when: date, _birth=birth, _id=local_id, **kw) -> None:
            if when >= _birth:
                events.append(Event(eid(), _id, type_, when, **kw))

        if sex == "2" and kind < wra_end:
            if rng.random() < 0.4:
                add("marriage", day(around, 500), partner=None)
            for _ in range(rng.randint(0, 2)):
                lmp = day(around, 300)
                add("pregnancy_registered", add_days(lmp, rng.randint(20, 120)), lmp=lmp)
                if rng.random() < 0.3:
                    add("pregnancy_registered", add_days(lmp, rng.randint(20, 200)), lmp=lmp)
                if rng.random() < 0.7:
                    add("maternal_handbook", add_days(lmp, rng.choice([89, 90, 91, 60, 120])))
                for _ in range(rng.randint(0, 6)):
                    add("antenatal_visit", add_days(lmp, rng.randint(60, 290)))
                if rng.random() < 0.75:
                    outcome_day = add_days(lmp, rng.choice([270, 280, 300, 308, 309, 120]))
                    outcome = rng.choice(OUTCOMES)
                    discharge = rng.choice([None, add_days(outcome_day, rng.randint(0, 7))])
                    add("pregnancy_outcome", outcome_day, outcome=outcome, discharge_date=discharge)
                    if rng.random() < 0.15:  # twins
                        add("pregnancy_outcome", outcome_day, outcome=outcome)
                    base = discharge or add_days(outcome_day, 3)
                    if rng.random() < 0.6:
                        add("postpartum_visit", add_days(base, rng.choice([0, 7, 28, 29, -1])))
            for _ in range(rng.randint(0, 3)):
                add("contraception", day(around, 400), method=rng.choice(METHODS))
            for _ in range(rng.randint(0, 2)):
                add(rng.choice(GUIDANCE), day(around, 400))
        elif is_child:
            if rng.random() < 0.7:
                add("newborn_visit", add_days(birth, rng.choice([0, 5, 28, 29, 40])))
            for _ in range(rng.randint(0, 3)):
                add("child_checkup", day(around, 200))
            for sd in schedule.doses_for(birth):
                if rng.random() < 0.85:
                    target = add_months(birth, sd.age_months)
                    add("vaccination", add_days(target, rng.choice([-3, 0, 10, 30, 31, 90])),
                        vaccine=sd.vaccine, dose=sd.dose)
        else:
            for condition in ("hypertension", "diabetes"):
                if rng.random() < 0.3:
                    add("chronic_diagnosis", day(around, 300), condition=condition)
                    for _ in range(rng.randint(0, 5)):
                        add("chronic_followup", day(around, 300), condition=condition)
            if rng.random() < 0.5:
                add("elderly_checkup", day(around, 300))
            if rng.random() < 0.2:
                add("home_visit", day(around, 300))
    return District.build(units=units, facilities=facilities, persons=people, events=events)
