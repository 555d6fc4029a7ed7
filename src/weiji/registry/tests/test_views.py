from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.registry.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return f.make_tree()


@pytest.fixture
def worker(tree, client):
    user = f.make_user(role="village_worker", orgunit=tree.v1, username="w1")
    client.force_login(user)
    return user


def person_post(tree, **kw):
    data = {"name": "赵敏", "sex": "2", "birth_date": "1995-07-08", "id_number": "",
            "phone": "", "village": tree.v1.code, "residency": "registered_present",
            "inflow_date": "", "household_code": "", "hukou_division": "",
            "marital_status": "", "mother_ref": ""}
    data.update(kw)
    return data


def test_person_page_masks_and_shows_full_with_audit(client, tree, worker):
    number = f.make_id_number(birth_date=date(1990, 2, 3), sex="2")
    person = f.make_person(village=tree.v1, name="孙丽", birth_date=date(1990, 2, 3),
                           id_number=number, phone="13900001111")
    url = reverse("registry:person", args=[person.pk])
    html = client.get(url).content.decode()
    assert number not in html and "139****1111" in html
    assert not AuditEntry.objects.filter(action="view_full").exists()
    html = client.get(url, {"full": "1"}).content.decode()
    assert number in html and "13900001111" in html
    entry = AuditEntry.objects.get(action="view_full")
    assert (entry.user_id, entry.object_id) == (worker.pk, str(person.pk))


def test_person_page_timeline_members_and_residency(client, tree, worker):
    household = Household.objects.create(code="H9", village=tree.v1)
    mother = f.make_person(village=tree.v1, name="母亲", birth_date=date(1990, 1, 1),
                           household=household)
    child = f.make_person(village=tree.v1, name="孩子", birth_date=date(2024, 1, 1),
                          mother=mother, household=household)
    f.make_event(person=mother, type="pregnancy_registered", date=date(2023, 5, 1),
                 lmp=date(2023, 4, 1))
    f.make_event(person=mother, type="contraception", date=date(2024, 5, 1), method="iud")
    html = client.get(reverse("registry:person", args=[mother.pk])).content.decode()
    assert 'id="stage-pregnancy"' in html and 'id="stage-family_planning"' in html
    assert "孕情登记" in html and "宫内节育器" in html
    assert child.name in html
    assert 'id="residency"' in html


def test_register_person_form(client, tree, worker):
    response = client.post(reverse("registry:person_new"), person_post(tree))
    person = Person.objects.get(name="赵敏")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:person", args=[person.pk])
    assert AuditEntry.objects.filter(action="create", object_id=str(person.pk)).exists()


def test_register_inflow_without_date_shows_a_chinese_error(client, tree, worker):
    response = client.post(reverse("registry:person_new"),
                           person_post(tree, residency="inflow"))
    assert response.status_code == 200
    assert "流入人口须填写流入日期" in response.content.decode()
    assert not Person.objects.exists()


def test_register_bad_date_and_missing_village(client, tree, worker):
    response = client.post(reverse("registry:person_new"),
                           person_post(tree, birth_date="1995-13-45", village=""))
    html = response.content.decode()
    assert "请按 年-月-日 填写日期" in html and "请选择村/社区" in html


def test_known_id_number_opens_the_existing_person(client, tree, worker):
    number = f.make_id_number(birth_date=date(1995, 7, 8), sex="2")
    existing = f.make_person(village=tree.v1, name="赵敏", birth_date=date(1995, 7, 8),
                             id_number=number)
    response = client.post(reverse("registry:person_new"),
                           person_post(tree, id_number=number, name="赵敏敏"))
    assert response["Location"] == reverse("registry:person", args=[existing.pk])
    assert Person.objects.count() == 1


def test_known_id_number_in_another_scope_is_not_revealed(client, tree, worker):
    number = f.make_id_number(birth_date=date(1995, 7, 8), sex="2")
    f.make_person(village=tree.v3, name="远方", birth_date=date(1995, 7, 8), id_number=number)
    response = client.post(reverse("registry:person_new"), person_post(tree, id_number=number),
                           follow=True)
    html = response.content.decode()
    assert "已在其他辖区登记" in html and "远方" not in html
    assert Person.objects.count() == 1


def test_likely_duplicates_are_shown_before_saving(client, tree, worker):
    existing = f.make_person(village=tree.v1, name="赵敏", birth_date=date(1995, 7, 8))
    response = client.post(reverse("registry:person_new"), person_post(tree))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="duplicates"' in html
    assert reverse("registry:person", args=[existing.pk]) in html
    assert Person.objects.count() == 1
    response = client.post(reverse("registry:person_new"), person_post(tree, confirm_new="on"))
    assert response.status_code == 302 and Person.objects.count() == 2


def test_newborn_form_prefills_from_the_mother(client, tree, worker):
    household = Household.objects.create(code="H7", village=tree.v1)
    mother = f.make_person(village=tree.v1, name="母亲", birth_date=date(1990, 1, 1),
                           household=household)
    html = client.get(reverse("registry:person_new"), {"mother": mother.pk}).content.decode()
    assert mother.local_id in html and "H7" in html
    today = timezone.localdate().isoformat()
    response = client.post(reverse("registry:person_new"), person_post(
        tree, name="小宝", sex="1", birth_date=today, mother_ref=mother.local_id,
        household_code="H7"))
    child = Person.objects.get(name="小宝")
    assert response.status_code == 302 and child.mother == mother
    assert child.household == household


def test_household_form(client, tree, worker):
    response = client.post(reverse("registry:household_new"),
                           {"code": "H-100", "village": tree.v1.code, "address": "1号"})
    assert response.status_code == 302 and "household=H-100" in response["Location"]
    response = client.post(reverse("registry:household_new"),
                           {"code": "H-100", "village": tree.v1.code})
    assert "已存在" in response.content.decode()


def test_move_move_out_and_death_forms(client, tree, worker):
    person = f.make_person(village=tree.v1, birth_date=date(1950, 1, 1))
    r = client.post(reverse("registry:person_move_out", args=[person.pk]),
                    {"date": "2025-01-05", "note": "外出"})
    assert r.status_code == 302
    r = client.post(reverse("registry:person_move", args=[person.pk]),
                    {"to_village": tree.v2.code, "date": "2025-01-01"})
    assert "不能补记更早的变动" in r.content.decode()
    r = client.post(reverse("registry:person_death", args=[person.pk]), {"date": "2025-02-01"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.residency == "registered_absent" and person.death_date == date(2025, 2, 1)
    r = client.post(reverse("registry:person_move", args=[person.pk]),
                    {"to_village": tree.v2.code, "date": "2025-03-01"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.village_id == tree.v2.code
    # Now outside the worker's village: the page is gone for them.
    assert client.get(reverse("registry:person", args=[person.pk])).status_code == 404
