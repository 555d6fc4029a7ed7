"""In Chromium: a village worker resolves a conflict and undoes a merge."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from weiji.reconcile import services
from weiji.reconcile.models import Discrepancy, Kind, Merge, Status
from weiji.reconcile.tests.conftest import V1
from weiji.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_worker_resolves_conflict_and_undoes_merge(live_server, phone_page, world, tmp_path):
    path = tmp_path / "wis.csv"
    path.write_text("记录编号,身份证号,姓名,性别,出生日期,村居代码\n"
                    f"W1,{world.zhang.id_number},张莉,2,1990-01-01,{V1}\n"
                    f"W2,{world.wang.id_number},王伟,1,1985-05-05,{V1}\n", encoding="utf-8")
    source = services.source_create(code="wis", name="全员人口信息", type="population_register", user=world.admin)
    services.snapshot_import(source=source, path=path, user=world.admin)
    services.reconcile_run(source=source, user=world.admin)
    page = phone_page
    _login(page, live_server, world.worker)

    # the menu leads to the village's lists; the conflict list shows the homophone name
    page.goto(f"{live_server.url}/reconcile/")
    page.get_by_role("link", name="信息不一致").click()
    row = page.get_by_role("row").filter(has_text="张莉")
    assert "370303********" in row.inner_text()  # ID numbers are masked in lists
    row.get_by_role("link", name="信息不一致").click()
    assert page.locator("#source-value").inner_text() == "张莉"
    page.get_by_role("button", name="采用来源值").click()
    assert page.locator("#item-status").inner_text() == "已处理"
    world.zhang.refresh_from_db()
    assert world.zhang.name == "张莉"

    # the duplicate pair: merge, keeping 王伟 (with ID), then undo
    page.goto(f"{live_server.url}/reconcile/items/?kind={Kind.DUPLICATE}")
    page.get_by_role("link", name="疑似重复人员").first.click()
    page.get_by_label("保留").select_option(str(world.wang.pk))
    page.get_by_role("button", name="合并两人").click()
    assert page.locator("#item-status").inner_text() == "已处理"
    assert Person.objects.get(pk=world.wang_dup.pk).merged_into_id == world.wang.pk
    page.screenshot(path=str(tmp_path / "merged.png"), full_page=True)
    page.get_by_role("button", name="撤销合并").click()
    assert "合并已撤销" in page.locator(".messages").inner_text()
    assert page.locator("#item-status").inner_text() == "待处理"
    assert Person.objects.get(pk=world.wang_dup.pk).merged_into_id is None
    assert Merge.objects.get().undone_by == world.worker
    assert Discrepancy.objects.get(kind=Kind.DUPLICATE).status == Status.OPEN
