"""In Chromium: a village worker records a postpartum visit from this month's list on a phone.

Network: WebPageTest's "3G Slow" profile (400 ms round trip, 400 kbit/s each way) through
Chrome's network emulation.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from weiji.worklists.models import ItemState, ServiceItem
from weiji.worklists.services import servicelist_generate
from weiji.worklists.tests.builders import FAC, TOWN, V1, make_delivery, make_units, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}
CJK = re.compile(r"[\u4e00-\u9fff]")

# Each visible control's accessible name: aria-label, its <label>, or its text.
LABELS_JS = """() => Array.from(document.querySelectorAll(
  'button, select, input:not([type=hidden]), textarea, a')).map(el => {
  const own = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].innerText)
    || el.innerText || el.value || '';
  return [el.outerHTML.slice(0, 80), own.trim()];
})"""


def _login(browser_page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    browser_page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url}])


def test_worker_records_postpartum_visit_and_progress_follows(live_server, phone_page, chromium):
    make_units()
    today = timezone.localdate()
    mother, _ = make_delivery(as_of=today)
    servicelist_generate(as_of=today)
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    worker = make_user("cun1", "village_worker", orgunit=V1, name="张专干")
    page = phone_page
    _login(page, live_server, worker)

    page.goto(f"{live_server.url}/worklists/")  # warm the server (templates, connections)
    page.goto(f"{live_server.url}/")  # the home page, with the menu
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    # Tap 1: the menu's 服务名单 opens this month's list of the worker's village.
    page.get_by_role("link", name="服务名单").first.click()
    page.wait_for_load_state()
    fcp = page.evaluate("""() => {
      const p = performance.getEntriesByName('first-contentful-paint')[0];
      return p ? p.startTime : performance.timing.domContentLoadedEventEnd
                               - performance.timing.navigationStart; }""")
    weight = page.evaluate("""() => performance.getEntriesByType('navigation')
      .concat(performance.getEntriesByType('resource'))
      .reduce((n, e) => n + Math.max(e.transferSize, e.decodedBodySize), 0)""")
    assert fcp < 1000, f"first paint after {fcp:.0f} ms on slow 3G"
    assert 0 < weight < 300_000, f"{weight} bytes"
    assert page.get_by_role("heading", name=re.compile("产后访视")).is_visible()
    for html, name in page.evaluate(LABELS_JS):
        assert CJK.search(name), f"control without a Chinese label: {html}"
    cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0,
                                                  "downloadThroughput": -1,
                                                  "uploadThroughput": -1})

    # Tap 2: 完成 in the row records the visit.
    page.locator(f'li[data-item="{item.pk}"] button', has_text="完成").click()
    page.wait_for_load_state()
    assert page.get_by_text("已记录：李秀英 产后访视").is_visible()
    assert page.locator('#svc-postpartum_visit').count() == 0
    item.refresh_from_db()
    assert item.state == ItemState.DONE and item.closed_by_event.type == "postpartum_visit"

    for user in (make_user("zhen", "town_office", orgunit=TOWN),
                 make_user("wsy", "facility_staff", orgunit=TOWN, facility=FAC)):
        context = chromium.new_context(locale="zh-CN")
        other = context.new_page()
        _login(other, live_server, user)
        other.goto(f"{live_server.url}/worklists/town/")
        row = other.locator(f'#village-progress tr[data-village="{V1}"]')
        assert row.locator("td.done").inner_text() == "1"
        assert other.locator("#worker-progress").get_by_text("张专干").is_visible()
        context.close()
