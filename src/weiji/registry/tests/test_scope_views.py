"""A village worker cannot read another village's person through any URL."""

from datetime import date

import pytest
from django.urls import reverse

from weiji.core import testing as f
from weiji.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    tree = f.make_tree()
    number = f.make_id_number(birth_date=date(1988, 8, 8), sex="2")
    stranger = f.make_person(village=tree.v2, name="钱秘密", birth_date=date(1988, 8, 8),
                             id_number=number, phone="13711112222")
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    client.force_login(worker)
    return tree, stranger, number


@pytest.mark.parametrize("name", ["registry:person", "registry:person_move",
                                  "registry:person_move_out", "registry:person_death",
                                  "records:event_new"])
def test_person_urls_are_404(client, setup, name):
    tree, stranger, number = setup
    url = reverse(name, args=[stranger.pk])
    response = client.get(url)
    assert response.status_code == 404 and "不在您的辖区范围内" in response.content.decode()
    assert client.get(url, {"full": "1"}).status_code == 404
    assert client.post(url, {"date": "2025-01-01", "type": "home_visit",
                             "to_village": tree.v1.code}).status_code == 404
    assert not AuditEntry.objects.filter(object_id=str(stranger.pk)).exists()


@pytest.mark.parametrize("q", ["钱秘密", "qmm", "qianmimi", "13711112222", "2222"])
def test_search_does_not_find_them(client, setup, q):
    tree, stranger, number = setup
    link = reverse("registry:person", args=[stranger.pk])
    for term in (q, number):
        html = client.get(reverse("registry:search"), {"q": term}).content.decode()
        assert link not in html and "没有找到符合条件的人员" in html


def test_village_listing_and_tree_are_scoped(client, setup):
    tree, stranger, number = setup
    html = client.get(reverse("registry:search"), {"village": tree.v2.code}).content.decode()
    assert "钱秘密" not in html
    html = client.get(reverse("orgunits:tree")).content.decode()
    assert tree.v1.name in html and tree.v2.name not in html and tree.v3.name not in html


def test_forms_cannot_reach_other_villages(client, setup):
    tree, stranger, number = setup
    r = client.post(reverse("registry:person_new"), {
        "name": "新人", "sex": "1", "birth_date": "2025-01-01", "village": tree.v2.code,
        "residency": "registered_present", "mother_ref": stranger.local_id})
    html = r.content.decode()
    assert "请选择列表中的村/社区" in html and "辖区内找不到这位母亲" in html
    r = client.post(reverse("registry:household_new"), {"code": "X", "village": tree.v2.code})
    assert "请选择列表中的村/社区" in r.content.decode()
    mine = f.make_person(village=tree.v1, name="本村人", sex="1", birth_date=date(1985, 1, 1))
    r = client.post(reverse("records:event_new", args=[mine.pk]), {
        "type": "marriage", "date": "2024-01-01", "partner_ref": number})
    assert "辖区内找不到这位配偶" in r.content.decode()


def test_district_only_pages_are_forbidden(client, setup):
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403 and "您的角色不能使用此页面" in response.content.decode()
    assert client.get(reverse("records:upload")).status_code == 403
    assert client.get(reverse("records:upload_errors", args=["abc"])).status_code == 403


def test_facility_user_sees_served_villages_only(client, setup):
    tree, stranger, number = setup
    far = f.make_person(village=tree.v3, name="南村人")
    client.force_login(f.make_user(role="facility_staff", facility=tree.f1))
    assert client.get(reverse("registry:person", args=[stranger.pk])).status_code == 200
    assert client.get(reverse("registry:person", args=[far.pk])).status_code == 404
    client.force_login(f.make_user(role="facility_staff", facility=tree.f2))
    assert client.get(reverse("registry:person", args=[far.pk])).status_code == 404
