"""Browser: a town office submits its monthly form, the district approves it, the period
locks; the dashboard draws its charts with the locally served ECharts on a phone."""

from datetime import date

import pytest

from weiji.core import testing as f
from weiji.indicators.models import ReportForm, ReportStatus
from weiji.indicators.selectors import period_is_locked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_town_submits_district_approves_period_locks(live_server, phone_page):
    tree = f.make_tree()
    mother = f.make_person(village=tree.v1, name="李红", birth_date=date(1994, 5, 1))
    f.make_event(person=mother, type="antenatal_visit", date=date(2026, 3, 10))
    f.make_user(role="town_office", orgunit=tree.town1, username="zhen1")
    f.make_user(role="district_admin", orgunit=tree.county, username="qu1")
    base, page = live_server.url, phone_page
    form_url = f"{base}/indicators/reports/{tree.town1.code}/2026-03/"

    login(page, base, "zhen1")
    page.goto(f"{base}/indicators/reports/?month=2026-03")
    page.get_by_role("link", name="东镇").click()
    page.wait_for_url(form_url)
    page.locator("#btn-prepare").click()
    page.wait_for_url(form_url)
    assert "东村" in page.locator("#report-table").inner_text()
    page.locator("#prepared-by").fill("王芳")
    page.locator("#btn-submit").click()
    page.wait_for_url(form_url)
    assert "已上报待审核" in page.locator("#form-status").inner_text()
    assert page.locator("#btn-prepare").count() == 0  # no regenerating once submitted
    page.get_by_role("button", name="退出").click()

    login(page, base, "qu1")
    page.goto(form_url)
    page.locator("#review-comment").fill("数据核实无误")
    page.locator("#btn-approve").click()
    page.wait_for_url(form_url)
    status = page.locator("#form-status").inner_text()
    assert "已审核通过" in status and "本期已锁定" in status
    assert "approve" in page.locator("#report-history").inner_text()

    form = ReportForm.objects.get(unit=tree.town1, month=date(2026, 3, 1))
    assert form.status == ReportStatus.APPROVED and form.locked and form.prepared_by == "王芳"
    assert period_is_locked(village_code=tree.v1.code, day=date(2026, 3, 31))


def test_dashboard_charts_render_on_a_phone(live_server, phone_page):
    tree = f.make_tree()
    for village in (tree.v1, tree.v2):
        elder = f.make_person(village=village, name="老人", sex="1", birth_date=date(1950, 1, 1))
        f.make_event(person=elder, type="elderly_checkup", date=date(2026, 3, 3))
    f.make_user(role="town_office", orgunit=tree.town1, username="zhen2")
    base, page = live_server.url, phone_page
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, base, "zhen2")
    page.goto(f"{base}/indicators/?indicator=elderly_mgmt_rate&month=2026-03")
    page.wait_for_function("window.weijiCharts && window.weijiCharts.length === 3")
    assert page.locator("#chart-comparison svg").count() == 1
    assert page.evaluate("typeof echarts") == "object"
    assert all(url.startswith(base) for url in requests)  # no CDN
    assert "东村" in page.locator("#table-comparison").text_content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
