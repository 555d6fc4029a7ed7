"""worklists.facts: the register as rule facts as of a date (history, merges, references)."""

from datetime import date

import pytest

from weiji.core import testing as f
from weiji.registry.models import Person, ResidencyChange, ResidencyPeriod
from weiji.rules.evaluate import evaluate_district, evaluate_person
from weiji.worklists.facts import district_from_db, due_items_from_db

pytestmark = pytest.mark.django_db
D = date(2026, 3, 1)


def services(items, local_id):
    return sorted(i.service for i in items if i.person_local_id == local_id)


def test_village_and_residency_as_of_the_date_from_history():
    tree = f.make_tree()
    p = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1))
    period = ResidencyPeriod.objects.get(person=p)
    period.valid_to = date(2026, 2, 1)
    period.save()
    ResidencyPeriod.objects.create(person=p, village=tree.v3, residency="registered_present",
                                   valid_from=date(2026, 2, 1), change=ResidencyChange.MOVED)
    ResidencyPeriod.objects.create(person=p, village=tree.v3, residency="registered_absent",
                                   valid_from=date(2026, 6, 1), change=ResidencyChange.MOVED_OUT)
    ResidencyPeriod.objects.filter(person=p, valid_from=date(2026, 2, 1)).update(valid_to=date(2026, 6, 1))
    Person.objects.filter(pk=p.pk).update(village=tree.v3, residency="registered_absent")

    jan = district_from_db(on=date(2026, 1, 15), villages=[tree.v1.code])
    assert jan.persons[p.local_id].village_code == tree.v1.code
    (item,) = list(evaluate_district(jan, date(2026, 1, 15)))
    assert (item.service, item.responsible) == ("elderly_checkup", "F001")

    march = district_from_db(on=D, villages=[tree.v1.code])
    assert p.local_id not in march.persons
    march = district_from_db(on=D, villages=[tree.v3.code])
    (item,) = list(evaluate_district(march, D))
    assert (item.village_code, item.responsible) == (tree.v3.code, "F003")

    july = district_from_db(on=date(2026, 7, 1), persons=[p.local_id])
    assert july.persons[p.local_id].residency == "registered_absent"
    assert evaluate_person(july, p.local_id, date(2026, 7, 1)) == []


def test_inflow_before_its_period_is_out_of_scope():
    tree = f.make_tree()
    p = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1), residency="inflow",
                      inflow_date=date(2025, 6, 1))
    assert services(due_items_from_db(as_of=date(2025, 5, 1)), p.local_id) == []
    assert services(due_items_from_db(as_of=date(2026, 3, 1)), p.local_id) == ["elderly_checkup"]
    # a migrant is served only after 6 months here
    assert services(due_items_from_db(as_of=date(2025, 12, 1)), p.local_id) == ["elderly_checkup"]
    assert services(due_items_from_db(as_of=date(2025, 11, 30)), p.local_id) == []


def test_known_on_the_date_only():
    tree = f.make_tree()
    p = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1))
    f.make_event(person=p, type="elderly_checkup", date=date(2026, 3, 2))
    baby = f.make_person(village=tree.v1, birth_date=date(2026, 3, 2), sex="1")
    district = district_from_db(on=D)
    assert baby.local_id not in district.persons
    assert all(ev.date <= D for evs in district.events.values() for ev in evs)
    assert services(evaluate_district(district, D), p.local_id) == ["elderly_checkup"]


def test_merged_person_is_left_out_and_their_events_count_for_the_survivor():
    tree = f.make_tree()
    keep = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1))
    dup = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1))
    f.make_event(person=dup, type="elderly_checkup", date=date(2026, 1, 10))
    Person.objects.filter(pk=dup.pk).update(merged_into=keep)
    district = district_from_db(on=D)
    assert dup.local_id not in district.persons
    assert [e.type for e in district.events[keep.local_id]] == ["elderly_checkup"]
    assert list(due_items_from_db(as_of=D)) == []


def make_couple(tree, *, sterilized: bool):
    wife = f.make_person(village=tree.v1, birth_date=date(1990, 1, 1))
    husband = f.make_person(village=tree.v3, sex="1", birth_date=date(1988, 1, 1))
    f.make_person(village=tree.v3, birth_date=date(2015, 1, 1), mother=wife,
                  residency="registered_absent")
    f.make_event(person=husband, type="marriage", date=date(2012, 5, 1), partner=wife)
    if sterilized:
        f.make_event(person=husband, type="contraception", method="sterilization",
                     date=date(2016, 1, 1))
    return wife, husband


@pytest.mark.parametrize("sterilized,listed", [(False, True), (True, False)])
def test_cross_village_spouse_and_child(sterilized, listed):
    tree = f.make_tree()
    wife, _ = make_couple(tree, sterilized=sterilized)
    items = list(due_items_from_db(as_of=D, villages=[tree.v1.code]))
    assert ("contraception_service" in services(items, wife.local_id)) is listed
    alone = district_from_db(on=D, persons=[wife.local_id])
    found = [i.service for i in evaluate_person(alone, wife.local_id, D)]
    assert ("contraception_service" in found) is listed


def test_newborn_discharge_from_the_mother_in_another_village():
    tree = f.make_tree()
    mother = f.make_person(village=tree.v3, birth_date=date(1995, 1, 1))
    baby = f.make_person(village=tree.v1, sex="1", birth_date=date(2026, 2, 20), mother=mother)
    f.make_event(person=mother, type="pregnancy_outcome", outcome="live_birth",
                 date=date(2026, 2, 20), discharge_date=date(2026, 2, 26), event_id="B1")
    (visit,) = [i for i in due_items_from_db(as_of=D, villages=[tree.v1.code])
                if i.service == "newborn_visit"]
    assert (visit.due_from, visit.due_until, visit.basis) == (date(2026, 2, 26), date(2026, 3, 5), ("B1",))
    assert visit.person_local_id == baby.local_id


def test_whole_district_equals_streamed_chunks():
    tree = f.make_tree()
    for i in range(6):
        make_couple(tree, sterilized=i % 2 == 0)
    whole = sorted(evaluate_district(district_from_db(on=D), D), key=lambda i: i.sort_key)
    streamed = sorted(due_items_from_db(as_of=D, chunk_size=2), key=lambda i: i.sort_key)
    assert whole == streamed and len(whole) >= 3
