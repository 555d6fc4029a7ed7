"""Catalogue versions: default seeded as version 1, edits as new audited versions."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from weiji.core.models import AuditEntry
from weiji.worklists.catalogue import CatalogueError, catalogue_current, catalogue_version_create
from weiji.worklists.models import CatalogueVersion, ItemState, ServiceItem
from weiji.worklists.services import servicelist_generate
from weiji.worklists.tests.builders import make_delivery, make_units, make_user

pytestmark = pytest.mark.django_db


def _form(data: dict) -> dict:
    """The catalogue page's form as a browser would submit it, unchanged."""
    from weiji.worklists.catalogue import flatten
    from weiji.worklists.catalogue_views import schedule_to_csv

    post = {}
    for path, value in flatten({k: v for k, v in data.items()
                                if k not in ("schedule", "version")}).items():
        if isinstance(value, bool):
            if value:
                post[path] = "on"
        else:
            post[path] = str(value)
    post["schedule_csv"] = schedule_to_csv(data["schedule"])
    return post


def test_default_is_version_1_and_edits_are_new_versions():
    active = catalogue_current()
    assert active.version == 1 and active.catalogue is not None
    data = {**active.data, "services": {**active.data["services"]}}
    data["services"]["anc_2"] = {**data["services"]["anc_2"], "end_days": 150}
    row = catalogue_version_create(data=data, user=None, note="延长第2次产检")
    assert row.version == 2 and row.data["version"] == 2
    assert catalogue_current().catalogue.service("anc_2")["end_days"] == 150
    entry = AuditEntry.objects.get(object_type="worklists.catalogueversion")
    assert entry.detail["changes"] == {"services.anc_2.end_days": [146, 150]}
    assert CatalogueVersion.objects.get(version=1).data["services"]["anc_2"]["end_days"] == 146
    with pytest.raises(CatalogueError, match="nothing was changed"):
        catalogue_version_create(data=data, user=None)


def test_admin_page_edits_and_validates(client):
    admin = make_user("admin", "district_admin")
    worker = make_user("w", "village_worker")
    client.force_login(worker)
    assert client.get(reverse("worklists:catalogue")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("worklists:catalogue"))
    assert page.status_code == 200 and "第 1 版" in page.content.decode()
    post = _form(catalogue_current().data)
    post.pop("services.folic_acid.enabled")  # switch folic acid off
    post["services.elderly_checkup.min_age_years"] = "60"
    post["note"] = "叶酸停用，老年体检60岁"
    resp = client.post(reverse("worklists:catalogue"), post)
    assert resp.status_code == 302
    current = catalogue_current()
    assert current.version == 2
    assert not current.catalogue.enabled("folic_acid")
    assert current.catalogue.service("elderly_checkup")["min_age_years"] == 60
    bad = dict(post, **{"services.anc_3.start_days": "abc", "note": "x"})
    html = client.post(reverse("worklists:catalogue"), bad, follow=True).content.decode()
    assert "services.anc_3.start_days" in html and catalogue_current().version == 2
    diff = client.get(reverse("worklists:catalogue_version", args=[2])).content.decode()
    assert "services.folic_acid.enabled" in diff


def test_schedule_version_can_be_added(client):
    admin = make_user("admin", "district_admin")
    client.force_login(admin)
    data = catalogue_current().data
    post = _form(data)
    post["schedule_csv"] += "2030,2030-01-01,hepb,乙肝疫苗,1,0,0,216\n"
    post["note"] = "2030版免疫程序"
    client.post(reverse("worklists:catalogue"), post)
    schedule = catalogue_current().catalogue.schedule
    assert "2030" in {name for _, name in schedule.versions}
    post["schedule_csv"] = "schedule,vaccine\n2030,hepb\n"
    html = client.post(reverse("worklists:catalogue"), post, follow=True).content.decode()
    assert "effective_from" in html


def test_items_keep_the_version_that_produced_them():
    make_units()
    make_delivery(as_of=date(2025, 3, 1))
    servicelist_generate(as_of=date(2025, 3, 1))
    data = catalogue_current().data
    services = {**data["services"], "postpartum_visit": {**data["services"]["postpartum_visit"],
                                                          "enabled": False}}
    catalogue_version_create(data={**data, "services": services}, user=None, note="off")
    servicelist_generate(as_of=date(2025, 3, 1), reason="catalogue")
    item = ServiceItem.objects.get(service="postpartum_visit")
    assert (item.state, item.close_reason, item.catalogue_version) == (
        ItemState.DROPPED, "catalogue", 1)
    others = ServiceItem.objects.filter(state=ItemState.OPEN)
    assert others.exists() and set(others.values_list("catalogue_version", flat=True)) == {1}
    assert item.history.last().catalogue_version == 2
