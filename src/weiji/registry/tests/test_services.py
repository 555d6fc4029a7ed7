from datetime import date, timedelta

import pytest
from django.utils import timezone

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.registry import services
from weiji.registry.models import Household, Residency, ResidencyPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return f.make_tree()


@pytest.fixture
def user(tree):
    return f.make_user(role="village_worker", orgunit=tree.v1)


def register(tree, user, **kw):
    args = {"name": "李娜", "sex": "2", "birth_date": date(1996, 5, 4), "village": tree.v1,
            "residency": Residency.REGISTERED_PRESENT, "user": user}
    args.update(kw)
    return services.person_register(**args)


def test_register_person_sets_keys_period_and_audit(tree, user):
    number = f.make_id_number(birth_date=date(1996, 5, 4), sex="2")
    person = register(tree, user, id_number=number.lower(), phone="13812345678")
    assert person.id_number == number.upper() and person.id_status == "valid"
    assert (person.name_pinyin, person.name_initials) == ("lina", "ln")
    period = ResidencyPeriod.objects.get(person=person)
    assert (period.village_id, period.residency, period.change) == (
        tree.v1.code, "registered_present", "registered")
    entry = AuditEntry.objects.get(action="create", object_type="registry.person")
    assert entry.object_id == str(person.pk) and entry.user_id == user.pk


def test_invalid_id_number_is_kept_and_flagged(tree, user):
    person = register(tree, user, id_number="370303199605041230")
    assert person.id_status == "invalid" and "校验码" in person.id_issue


def test_registered_id_number_is_refused_with_the_existing_person(tree, user):
    number = f.make_id_number(birth_date=date(1996, 5, 4), sex="2")
    first = register(tree, user, id_number=number)
    with pytest.raises(services.DuplicateIdNumber) as info:
        register(tree, user, id_number=f" {number} ", name="李娜娜")
    assert info.value.existing == first


def test_inflow_needs_its_date(tree, user):
    with pytest.raises(services.RegistryError) as info:
        register(tree, user, residency=Residency.INFLOW)
    assert info.value.field == "inflow_date" and "流入日期" in info.value.message
    person = register(tree, user, residency=Residency.INFLOW, inflow_date=date(2024, 3, 1))
    period = person.residency_periods.get()
    assert (period.valid_from, period.change) == (date(2024, 3, 1), "inflow")


def test_newborn_with_mother(tree, user):
    mother = f.make_person(village=tree.v1, name="王芳", birth_date=date(1994, 1, 1))
    child = register(tree, user, name="王小宝", sex="1", birth_date=timezone.localdate(),
                     mother=mother)
    assert child.mother == mother and child.id_status == "none"


@pytest.mark.parametrize("kw,field", [
    ({"name": " "}, "name"),
    ({"sex": "9"}, "sex"),
    ({"birth_date": timezone.localdate() + timedelta(days=1)}, "birth_date"),
    ({"phone": "1381234"}, "phone"),
    ({"hukou_division": "37"}, "hukou_division"),
    ({"marital_status": "99"}, "marital_status"),
    ({"inflow_date": date(2020, 1, 1)}, "inflow_date"),
])
def test_register_validation(tree, user, kw, field):
    with pytest.raises(services.RegistryError) as info:
        register(tree, user, **kw)
    assert info.value.field == field


def test_register_refuses_a_non_village_and_a_wrong_mother(tree, user):
    with pytest.raises(services.RegistryError):
        register(tree, user, village=tree.town1)
    father = f.make_person(village=tree.v1, sex="1", birth_date=date(1990, 1, 1))
    with pytest.raises(services.RegistryError) as info:
        register(tree, user, mother=father)
    assert info.value.field == "mother"


def test_household_register(tree, user):
    household = services.household_register(code="H-1", village=tree.v1, address="东村1号",
                                            user=user)
    assert Household.objects.get(code="H-1") == household
    assert AuditEntry.objects.filter(object_type="registry.household").count() == 1
    with pytest.raises(services.RegistryError):
        services.household_register(code="H-1", village=tree.v1, user=user)
    person = register(tree, user, household=household)
    assert person.household == household
    with pytest.raises(services.RegistryError) as info:
        register(tree, user, household=household, village=tree.v2, name="别人")
    assert info.value.field == "household"


def test_move_creates_a_period_and_updates_the_village(tree, user):
    person = f.make_person(village=tree.v1, birth_date=date(1990, 1, 1))
    services.person_move(person=person, to_village=tree.v3, date=date(2025, 6, 1), user=user)
    person.refresh_from_db()
    assert person.village_id == tree.v3.code
    periods = list(person.residency_periods.order_by("pk").values_list(
        "village_id", "valid_from", "valid_to", "change"))
    assert periods == [(tree.v1.code, None, date(2025, 6, 1), "loaded"),
                       (tree.v3.code, date(2025, 6, 1), None, "moved")]
    entry = AuditEntry.objects.get(action="update")
    assert entry.detail["from"] == tree.v1.code and entry.detail["to"] == tree.v3.code


def test_move_cannot_go_back_before_a_later_change(tree, user):
    person = f.make_person(village=tree.v1, birth_date=date(1990, 1, 1))
    services.person_move(person=person, to_village=tree.v2, date=date(2025, 6, 1), user=user)
    with pytest.raises(services.RegistryError):
        services.person_move(person=person, to_village=tree.v3, date=date(2025, 1, 1),
                             user=user)
    with pytest.raises(services.RegistryError):
        services.person_move(person=person, to_village=tree.v2, date=date(2025, 7, 1),
                             user=user)


def test_move_out_then_move_back(tree, user):
    person = f.make_person(village=tree.v1, birth_date=date(1990, 1, 1))
    services.person_move_out(person=person, date=date(2025, 2, 1), user=user, note="外出务工")
    person.refresh_from_db()
    assert person.residency == "registered_absent"
    with pytest.raises(services.RegistryError):
        services.person_move_out(person=person, date=date(2025, 3, 1), user=user)
    services.person_move(person=person, to_village=tree.v2, date=date(2025, 5, 1), user=user)
    person.refresh_from_db()
    assert person.residency == "registered_present" and person.village_id == tree.v2.code
    assert person.residency_periods.count() == 3


def test_death(tree, user):
    person = f.make_person(village=tree.v1, birth_date=date(1940, 1, 1))
    f.make_event(person=person, type="elderly_checkup", date=date(2025, 3, 1))
    with pytest.raises(services.RegistryError):
        services.person_record_death(person=person, date=date(2025, 1, 1), user=user)
    services.person_record_death(person=person, date=date(2025, 4, 1), user=user)
    person.refresh_from_db()
    assert person.death_date == date(2025, 4, 1)
    with pytest.raises(services.RegistryError):
        services.person_record_death(person=person, date=date(2025, 4, 2), user=user)
    assert AuditEntry.objects.filter(action="update", detail__change="death").count() == 1
