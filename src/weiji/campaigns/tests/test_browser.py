"""A facility user checks a target in on a phone-sized screen; the village's rate updates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from weiji.campaigns.definition import definition_from_mapping
from weiji.campaigns.services import campaign_import, campaign_targets_generate
from weiji.core import testing as f
from weiji.records.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facility_user_checks_in_a_target_on_a_phone(live_server, phone_page):
    tree = f.make_tree()
    number = f.make_id_number(birth_date=date(1991, 6, 1), sex="2")
    women = [
        f.make_person(village=tree.v1, name=name, birth_date=date(1991, 6, 1), id_number=num,
                      residency="inflow", inflow_date=date(2020, 1, 1), marital_status="20")
        for name, num in (("王芳", number), ("李娜", ""))
    ]
    today = timezone.localdate()
    campaign = campaign_import(definition=definition_from_mapping({
        "code": "spring-phone", "name": "春季查体", "start": today - timedelta(days=2),
        "end": today + timedelta(days=20),
        "target": {"rule": "spring_women_checkup", "born_on_or_after": "1973-01-01"},
        "thresholds": {"rural": {"attendance": 0.85, "visit": 0.97},
                       "urban": {"attendance": 0.5, "visit": 0.7}},
        "sites": {tree.zone1.code: "F001"},
    }))
    assert campaign_targets_generate(campaign=campaign) == 2
    f.make_user(role="facility_staff", facility=tree.f1, username="site1")

    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/campaigns/spring-phone/checkin/")
    page.fill("input[name=username]", "site1")
    page.fill("input[name=password]", f.TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#q")

    # Typing (or scanning) the ID number finds her; the page fits the phone's width.
    page.fill("#q", number)
    page.press("#q", "Enter")
    page.wait_for_selector("#checkin-results")
    assert "王芳" in page.inner_text("#checkin-results")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#checkin-results button[type=submit]")
    page.wait_for_selector("#village-rate")
    assert "1/2" in page.inner_text("#village-rate")
    assert page.inner_text("#village-rate .rate") == "0.5000"
    assert Event.objects.filter(person=women[0], type="health_checkup",
                                facility=tree.f1, date=today).count() == 1

    # The progress page shows the village's new rate, highlighted below the rural threshold.
    page.goto(f"{live_server.url}/campaigns/spring-phone/")
    row = page.inner_text(f"#v-{tree.v1.code}")
    assert "0.5000" in row
    assert page.get_attribute(f"#v-{tree.v1.code}", "class") == "below"
