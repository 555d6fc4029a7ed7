import pytest

from weiji.accounts.scope import (
    scope_contains,
    scope_filter,
    scope_persons,
    scope_units,
    scope_villages,
)
from weiji.core import testing as f
from weiji.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return f.make_tree()


def codes(qs):
    return sorted(u.code for u in qs)


def test_district_admin_sees_the_whole_county(tree):
    user = f.make_user(role="district_admin", orgunit=tree.county)
    assert codes(scope_villages(user)) == [tree.v1.code, tree.v2.code, tree.v3.code]
    assert scope_units(user).count() == 7


def test_town_office_sees_its_town(tree):
    user = f.make_user(role="town_office", orgunit=tree.town1)
    assert codes(scope_villages(user)) == [tree.v1.code, tree.v2.code]
    assert not scope_contains(user, tree.v3.code)
    assert not scope_contains(user, tree.county.code)


def test_village_worker_sees_only_the_village(tree):
    user = f.make_user(role="village_worker", orgunit=tree.v1)
    assert codes(scope_units(user)) == [tree.v1.code]


def test_facility_user_sees_the_villages_its_facility_serves(tree):
    assert codes(scope_villages(f.make_user(role="facility_staff", facility=tree.f1))) == [
        tree.v1.code, tree.v2.code]
    # F002 serves town 2, but v3 is served by F003 (the nearest catchment on its path wins).
    assert codes(scope_villages(f.make_user(role="facility_staff", facility=tree.f2))) == []
    assert codes(scope_villages(f.make_user(role="facility_staff", facility=tree.f3))) == [
        tree.v3.code]


def test_unbound_inactive_and_anonymous_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    unbound = f.make_user(role="village_worker")
    assert scope_units(unbound).count() == 0
    inactive = f.make_user(role="district_admin", orgunit=tree.county)
    inactive.is_active = False
    assert scope_units(inactive).count() == 0
    assert scope_units(AnonymousUser()).count() == 0
    assert scope_units(None).count() == 0


def test_scope_persons_and_filter(tree):
    mine = f.make_person(village=tree.v1, name="甲")
    f.make_person(village=tree.v2, name="乙")
    f.make_person(village=tree.v3, name="丙")
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    assert list(scope_persons(worker)) == [mine]
    town = f.make_user(role="town_office", orgunit=tree.town1)
    assert sorted(p.name for p in scope_persons(town)) == ["乙", "甲"]
    Household.objects.create(code="H1", village=tree.v1)
    Household.objects.create(code="H3", village=tree.v3)
    assert [h.code for h in scope_filter(worker, Household.objects.all())] == ["H1"]
    # A lookup through a relation.
    from weiji.records.models import Event

    f.make_event(person=mine, type="home_visit", date=mine.birth_date)
    assert scope_filter(worker, Event.objects.all(), "person__village").count() == 1
    other = f.make_user(role="village_worker", orgunit=tree.v2)
    assert scope_filter(other, Event.objects.all(), "person__village").count() == 0


def test_facility_without_catchment_falls_back_to_the_users_unit(tree):
    clinic = f.make_facility(code="C01", name="东村卫生室", orgunit=tree.v1,
                             kind="village_clinic")
    user = f.make_user(role="facility_staff", facility=clinic)
    assert codes(scope_villages(user)) == [tree.v1.code]
