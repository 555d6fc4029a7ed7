from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from weiji.core import testing as f
from weiji.core.audit import audit_record
from weiji.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return f.make_tree()


def test_pages_need_login(client, tree):
    person = f.make_person(village=tree.v1)
    for url in (reverse("home"), reverse("registry:search"), reverse("orgunits:tree"),
                reverse("registry:person", args=[person.pk]), reverse("audit_log"),
                reverse("records:upload"), reverse("registry:person_new")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("login")), url


def test_home_navigation_by_role(client, tree):
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    html = client.get(reverse("home")).content.decode()
    assert reverse("registry:search") in html and reverse("registry:person_new") in html
    assert reverse("records:upload") not in html and reverse("audit_log") not in html
    client.force_login(f.make_user(role="district_admin", orgunit=tree.county))
    html = client.get(reverse("home")).content.decode()
    assert reverse("records:upload") in html and reverse("audit_log") in html


def test_chinese_by_default_and_english_after_switching(client, tree):
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    html = client.get(reverse("registry:search")).content.decode()
    assert '<html lang="zh-hans">' in html and "人员查询" in html
    response = client.post(reverse("set_language"),
                           {"language": "en", "next": reverse("registry:search")})
    assert response.status_code == 302
    html = client.get(reverse("registry:search")).content.decode()
    assert '<html lang="en">' in html and "Find a person" in html and "人员查询" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "人员查询" in client.get(reverse("registry:search")).content.decode()


def test_login_page_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert "Username" in html and "Password" in html and "Log in" in html


def test_audit_log_page_for_district_admins(client, tree):
    admin = f.make_user(role="district_admin", orgunit=tree.county, username="boss")
    worker = f.make_user(role="village_worker", orgunit=tree.v1, username="w9")
    audit_record(user=worker, action="view_full", object_type="registry.person", object_id="7")
    audit_record(user=admin, action="export", object_type="worklist", object_id="1")
    client.force_login(admin)
    w9, boss = '">w9</td>', '">boss</td>'
    html = client.get(reverse("audit_log"), {"action": "view_full"}).content.decode()
    assert w9 in html and boss not in html
    html = client.get(reverse("audit_log"), {"username": "boss"}).content.decode()
    assert boss in html and w9 not in html
    today = timezone.localdate().isoformat()
    html = client.get(reverse("audit_log"), {"since": today, "until": today}).content.decode()
    assert w9 in html
    html = client.get(reverse("audit_log"), {"until": "2000-01-01"}).content.decode()
    assert "没有记录" in html
    # Read only: no form posts anything back.
    assert client.post(reverse("audit_log")).status_code in (200, 405)
    assert AuditEntry.objects.filter(object_type="worklist").count() == 1


def test_search_page_is_small_on_a_phone(client, tree):
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    for i in range(60):
        f.make_person(village=tree.v1, name=f"张{i}", birth_date=date(1990, 1, 1 + i % 28),
                      phone=f"138000{i:05d}")
    response = client.get(reverse("registry:search"), {"village": tree.v1.code})
    assert response.status_code == 200
    assert len(response.content) < 300 * 1024
    response = client.get(reverse("registry:search"), {"q": "z"})
    assert len(response.content) < 300 * 1024


def test_tree_page_counts(client, tree):
    f.make_person(village=tree.v1)
    f.make_person(village=tree.v1)
    client.force_login(f.make_user(role="town_office", orgunit=tree.town1))
    html = client.get(reverse("orgunits:tree")).content.decode()
    assert "东村" in html and "西村" in html and "南村" not in html
    assert "2 人" in html


def test_browser_language_does_not_override_the_chinese_default(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "用户名" in html
    client.cookies["django_language"] = "xx"  # unknown: falls back to Chinese
    assert "用户名" in client.get(reverse("login")).content.decode()


def test_every_choice_label_has_an_english_translation():
    from django.utils import translation

    from weiji.accounts.models import Role
    from weiji.core.models import AuditAction
    from weiji.orgunits.models import FacilityKind, OrgUnitLevel
    from weiji.records.models import Condition, EventType, Method, Outcome
    from weiji.registry.models import IdStatus, MaritalStatus, Residency, ResidencyChange, Sex

    enums = (Role, Sex, Residency, MaritalStatus, IdStatus, ResidencyChange, EventType,
             Outcome, Method, Condition, OrgUnitLevel, FacilityKind, AuditAction)
    with translation.override("en"):
        untranslated = [label for enum in enums for label in enum.labels
                        if translation.gettext(label) == label]
    assert untranslated == []


def test_person_page_in_english_translates_labels(client, tree):
    person = f.make_person(village=tree.v1, sex="2", residency="inflow",
                           inflow_date=date(2024, 1, 1))
    f.make_event(person=person, type="contraception", date=date(2024, 5, 1), method="iud")
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "Female" in html and "Inflow migrant" in html and "IUD" in html
    assert "Village health worker" in html and "Life-course services" in html
    html = client.get(reverse("records:event_new", args=[person.pk])).content.decode()
    assert "Vaccination" in html and "Event type" in html


def test_person_links_registered_by_other_apps(client, tree, monkeypatch):
    from weiji.web import nav

    monkeypatch.setattr(nav, "PERSON_LINKS", [])
    nav.person_link_register("registry:person_move", "另一个应用的链接", roles={"town_office"})
    nav.person_link_register("no_such:page", "不存在")
    person = f.make_person(village=tree.v1)
    client.force_login(f.make_user(role="town_office", orgunit=tree.town1))
    html = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "另一个应用的链接" in html and "不存在" not in html
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    html = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "另一个应用的链接" not in html
