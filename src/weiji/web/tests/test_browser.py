"""A village worker logs in on a phone, finds a person and opens the person page."""

from datetime import date

import pytest

from weiji.core import testing as f
from weiji.core.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_worker_searches_and_opens_a_person(live_server, phone_page):
    tree = f.make_tree()
    number = f.make_id_number(birth_date=date(1992, 6, 1), sex="2")
    person = f.make_person(village=tree.v1, name="陈静", birth_date=date(1992, 6, 1),
                           id_number=number, phone="13566667777")
    f.make_event(person=person, type="antenatal_visit", date=date(2025, 2, 1))
    f.make_person(village=tree.v2, name="陈晨", birth_date=date(1992, 6, 1))
    f.make_user(role="village_worker", orgunit=tree.v1, username="cun1")

    page = phone_page
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("cun1")
    page.get_by_label("密码").fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_label("查找人员").fill("cj")
    page.get_by_role("button", name="查询").click()
    results = page.locator("#results")
    results.wait_for()
    assert "陈静" in results.inner_text()
    assert "陈晨" not in results.inner_text()  # another village
    assert number not in page.content()

    page.get_by_role("link", name="陈静").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.pk}/")
    facts = page.locator("#person-facts").inner_text()
    assert "135****7777" in facts and number not in facts
    assert "产前检查" in page.locator("#stage-pregnancy").inner_text()

    page.locator("#show-full").click()
    page.wait_for_url(f"{live_server.url}/persons/{person.pk}/?full=1")
    assert number in page.locator("#id-number").inner_text()
    assert AuditEntry.objects.filter(action="view_full", object_id=str(person.pk)).exists()
    assert AuditEntry.objects.filter(action="login", username="cun1").exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing wider than the phone screen
