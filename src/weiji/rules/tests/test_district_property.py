"""Property: on random districts, the district run equals evaluating each person alone on
only the facts a partial (per-village / streamed) district carries for them."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from weiji.rules.dates import month_end
from weiji.rules.evaluate import evaluate_district, evaluate_person, sort_items
from weiji.rules.facts import District, Event, Person
from weiji.rules.tests.make import FACILITIES, OTHER_VILLAGE, UNITS, VILLAGE

TYPES = ("marriage", "preconception_checkup", "folic_acid", "pregnancy_registered",
         "maternal_handbook", "antenatal_visit", "pregnancy_outcome", "postpartum_visit",
         "postpartum_42d", "newborn_visit", "child_checkup", "vaccination", "contraception",
         "elderly_checkup", "chronic_diagnosis", "chronic_followup", "home_visit")
VACCINES = ("hepb", "bcg", "ipv", "dtap", "mmr", "dt", "mpsva")


def day(rng, start=date(2017, 1, 1), end=date(2027, 3, 1)):
    return start + timedelta(days=rng.randrange((end - start).days))


def random_district(seed: int) -> District:
    rng = random.Random(seed)
    persons = []
    for i in range(70):
        birth = day(rng, date(1950, 1, 1), date(2026, 12, 31)) if i % 3 else day(rng, date(2018, 1, 1))
        persons.append(Person(
            local_id=f"P{i:03d}", id_number="", name="", sex=rng.choice("12"), birth_date=birth,
            village_code=rng.choice((VILLAGE, OTHER_VILLAGE)),
            residency=rng.choice(("registered_present",) * 4 + ("registered_absent", "inflow")),
            inflow_date=day(rng, date(2015, 1, 1)), marital_status=rng.choice(("", "", "21", "40", "10")),
            mother=f"P{rng.randrange(70):03d}" if rng.random() < 0.5 else None,
            death_date=day(rng) if rng.random() < 0.05 else None,
        ))
    events = []
    for n in range(900):
        who = rng.choice(persons)
        t = rng.choice(TYPES)
        when = day(rng, max(who.birth_date, date(2017, 1, 1)))
        kw = {}
        if t == "marriage" and rng.random() < 0.8:
            kw["partner"] = rng.choice(persons).local_id
        if t == "pregnancy_registered":
            kw["lmp"] = when - timedelta(days=rng.randrange(0, 120))
        if t == "pregnancy_outcome":
            kw["outcome"] = rng.choice(("live_birth", "live_birth", "stillbirth", "miscarriage"))
            if rng.random() < 0.5:
                kw["discharge_date"] = when + timedelta(days=rng.randrange(0, 8))
        if t == "vaccination":
            kw["vaccine"], kw["dose"] = rng.choice(VACCINES), rng.randrange(1, 4)
        if t == "contraception":
            kw["method"] = rng.choice(("iud", "implant", "sterilization", "injection", "pill",
                                       "condom", "removed"))
        if t.startswith("chronic"):
            kw["condition"] = rng.choice(("hypertension", "diabetes"))
        events.append(Event(event_id=f"E{n:05d}", person=who.local_id, type=t, date=when, **kw))
    # a child born to a mother with a live birth on its birth date (twins sometimes)
    for p in persons:
        if p.mother and rng.random() < 0.5:
            for k in range(rng.choice((1, 1, 2))):
                events.append(Event(f"B{p.local_id}{k}", p.mother, "pregnancy_outcome", p.birth_date,
                                    outcome="live_birth",
                                    discharge_date=p.birth_date + timedelta(days=rng.randrange(5))))
    return District.build(units=UNITS, facilities=FACILITIES, persons=persons, events=events)


def partial(district: District, local_id: str) -> District:
    """What worklists.facts carries for one subject: own events, marriages naming them, the
    spouses' checkups and contraception, children, and the mother's deliveries."""
    me = district.persons[local_id]
    own = list(district.events.get(local_id, ()))
    named = list(district.partner_marriages.get(local_id, ()))
    spouses = {e.partner for e in own if e.type == "marriage" and e.partner} | {e.person for e in named}
    spouse_events = [e for s in spouses for e in district.events.get(s, ())
                     if e.type in ("preconception_checkup", "contraception")]
    children = [district.persons[c] for c in district.children.get(local_id, ())]
    mother_events = [e for e in district.events.get(me.mother, ()) if e.type == "pregnancy_outcome"] if me.mother else []
    events = {e.event_id: e for e in own + named + spouse_events + mother_events}
    return District.build(units=UNITS, facilities=FACILITIES, persons=[me, *children],
                          events=events.values(), subjects=[local_id])


@pytest.mark.parametrize("seed", range(12))
def test_district_equals_per_person_on_partial_facts(seed):
    district = random_district(seed)
    rng = random.Random(seed)
    for as_of in (date(2025, 1, 1), date(2026, 3, 1), day(rng, date(2019, 1, 1))):
        whole = sort_items(evaluate_district(district, as_of))
        alone = sort_items(
            item for lid in district.persons
            for item in evaluate_person(partial(district, lid), lid, as_of)
        )
        assert whole == alone
        # invariants of every list
        end = month_end(as_of)
        keys = Counter((i.person_local_id, i.service, i.due_from) for i in whole)
        assert all(n == 1 for n in keys.values())
        per_service = Counter((i.person_local_id, i.service) for i in whole
                              if i.service != "pregnancy_followup_lost")
        assert all(n == 1 for n in per_service.values())
        for item in whole:
            assert item.due_from <= end
            assert item.status == ("lead" if item.service == "pregnancy_followup_lost" else
                                   "overdue" if item.due_until < as_of else "due")
        # a village filter selects exactly that village's rows
        village_only = sort_items(evaluate_district(district, as_of, villages={VILLAGE}))
        assert village_only == [i for i in whole if i.village_code == VILLAGE]
