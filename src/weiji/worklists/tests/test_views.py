"""Work-list pages: scope, recording from the list, home visits, supervision, leads, exports."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from weiji.core.models import AuditEntry
from weiji.records.models import Event
from weiji.worklists.models import ItemState, ServiceItem, TaskStatus
from weiji.worklists.services import servicelist_apply, servicelist_generate
from weiji.worklists.tests.builders import (
    FAC,
    TOWN,
    V1,
    V2,
    due,
    make_delivery,
    make_person,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    make_units()
    today = timezone.localdate()
    mother, child = make_delivery(as_of=today)
    servicelist_generate(as_of=today)
    return {
        "today": today, "mother": mother, "child": child,
        "worker": make_user("cun1", "village_worker", orgunit=V1, name="张专干"),
        "other": make_user("cun2", "village_worker", orgunit=V2),
        "facility": make_user("wsy", "facility_staff", orgunit=TOWN, facility=FAC),
        "town": make_user("zhen", "town_office", orgunit=TOWN),
    }


def _pp(world) -> ServiceItem:
    return ServiceItem.objects.get(person=world["mother"], service="postpartum_visit")


def test_village_worker_list_masks_ids_and_records_done(client, world):
    client.force_login(world["worker"])
    page = client.get(reverse("worklists:index"), follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "产后访视" in html and "李秀英" in html
    assert "370303********1228" in html and "370303199001011228" not in html
    assert len(page.content) < 300_000
    item = _pp(world)
    resp = client.post(reverse("worklists:item_done", args=[item.pk]),
                       {"next": reverse("worklists:village", args=[V1])})
    assert resp.status_code == 302
    item.refresh_from_db()
    event = Event.objects.get(person=world["mother"], type="postpartum_visit")
    assert (item.state, item.closed_by_event_id) == (ItemState.DONE, event.pk)
    assert event.recorded_by == world["worker"] and event.date == world["today"]
    assert (item.task.status, item.task.acted_by) == (TaskStatus.DONE, world["worker"])
    listed = client.get(reverse("worklists:village", args=[V1])).content.decode()
    assert 'id="svc-postpartum_visit"' not in listed
    # The town's and the facility's progress count it.
    client.force_login(world["town"])
    town = client.get(reverse("worklists:town")).content.decode()
    row = town.split(f'data-village="{V1}"')[1].split("</tr>")[0]
    assert 'class="done">1<' in row
    assert "张专干" in town


def test_other_village_is_out_of_scope(client, world):
    client.force_login(world["other"])
    assert client.get(reverse("worklists:village", args=[V1])).status_code == 403
    resp = client.post(reverse("worklists:item_done", args=[_pp(world).pk]))
    assert resp.status_code == 404
    assert _pp(world).state == ItemState.OPEN


def test_facility_list_spans_its_villages(client, world):
    other_mother, _ = make_delivery(as_of=world["today"], village=V2, local_id="M2",
                                    name="赵丽")
    servicelist_generate(as_of=world["today"])
    client.force_login(world["facility"])
    html = client.get(reverse("worklists:facility")).content.decode()
    assert "李秀英" in html and "赵丽" in html
    only_v2 = client.get(reverse("worklists:facility"), {"village": V2}).content.decode()
    assert "赵丽" in only_v2 and "李秀英" not in only_v2
    newlywed = make_person("NW", name="钱芳", birth=date(1998, 2, 2))
    today = world["today"]
    servicelist_apply(items=[due(newlywed, "folic_acid", today, today, as_of=today,
                                 responsible=V1)],
                      as_of=today, catalogue_version=1, persons=[newlywed.pk])
    everything = client.get(reverse("worklists:facility")).content.decode()
    own = client.get(reverse("worklists:facility"), {"own": "1"}).content.decode()
    assert 'id="svc-folic_acid"' in everything and 'id="svc-folic_acid"' not in own
    assert "产后访视" in own


def test_home_visit_records_who_visited_signed_and_is_responsible(client, world):
    client.force_login(world["worker"])
    item = _pp(world)
    resp = client.post(reverse("worklists:item_visit", args=[item.pk]),
                       {"visited_by": "张专干", "signed_by": "李秀英", "responsible_person": "王医生"})
    assert resp.status_code == 302
    action = item.task.actions.last()
    assert (action.status, action.visited_by, action.signed_by, action.responsible_person) == (
        TaskStatus.VISITED, "张专干", "李秀英", "王医生")
    assert action.event.type == "home_visit" and action.event.performed_by == "张专干"
    missing = client.post(reverse("worklists:item_visit", args=[item.pk]), {"visited_by": "x"},
                          follow=True)
    assert "请填写签字人" in missing.content.decode()


def test_refused_needs_a_note_and_is_audited(client, world):
    client.force_login(world["worker"])
    item = _pp(world)
    client.post(reverse("worklists:item_mark", args=[item.pk]), {"status": "refused"})
    item.task.refresh_from_db()
    assert item.task.status == TaskStatus.PENDING
    client.post(reverse("worklists:item_mark", args=[item.pk]),
                {"status": "refused", "note": "本人拒绝"})
    item.task.refresh_from_db()
    assert item.task.status == TaskStatus.REFUSED
    assert AuditEntry.objects.filter(object_type="worklists.task",
                                     object_id=str(item.task.pk)).exists()


def test_leads_only_for_town_office(client, world):
    woman = make_person("L1", name="孙某", birth=date(1992, 5, 5))
    today = world["today"]
    servicelist_apply(items=[due(woman, "pregnancy_followup_lost", today - timedelta(days=5),
                                 today - timedelta(days=5), as_of=today, status="lead",
                                 responsible=TOWN)],
                      as_of=today, catalogue_version=1, persons=[woman.pk])
    lead = ServiceItem.objects.get(service="pregnancy_followup_lost")
    client.force_login(world["worker"])
    assert client.get(reverse("worklists:leads")).status_code == 403
    assert client.get(reverse("worklists:item", args=[lead.pk])).status_code == 403
    assert "孙某" not in client.get(reverse("worklists:village", args=[V1])).content.decode()
    client.force_login(world["facility"])
    assert client.get(reverse("worklists:leads")).status_code == 403
    client.force_login(world["town"])
    html = client.get(reverse("worklists:leads")).content.decode()
    assert "孙某" in html


def test_xlsx_export_masks_ids_and_is_audited(client, world):
    client.force_login(world["worker"])
    resp = client.get(reverse("worklists:village_export", args=[V1]))
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(resp.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1][3] == "身份证号"
    cells = {c for row in rows for c in row if c}
    assert "370303********1228" in cells and "138****5678" in cells
    assert not any("370303199001011228" in str(c) for c in cells)
    assert AuditEntry.objects.filter(action="export", object_id=V1).exists()


def test_print_view(client, world):
    client.force_login(world["worker"])
    html = client.get(reverse("worklists:village_print", args=[V1])).content.decode()
    assert "@media print" in html and "370303********1228" in html and "签字" in html


def test_item_page_shows_history_task_and_closing_record(client, world):
    client.force_login(world["worker"])
    item = _pp(world)
    client.post(reverse("worklists:item_done", args=[item.pk]))
    html = client.get(reverse("worklists:item", args=[item.pk])).content.decode()
    assert "产后访视" in html and "370303********1228" in html
    assert "新增" in html and "已完成" in html and "提醒消息" in html
    event = Event.objects.get(person=world["mother"], type="postpartum_visit")
    assert event.event_id in html


def test_contraception_is_one_tap_per_method(client, world):
    woman = world["mother"]
    today = world["today"]
    servicelist_apply(items=[due(woman, "contraception_service", today, today, as_of=today,
                                 responsible=V1)],
                      as_of=today, catalogue_version=1, persons=[woman.pk])
    item = ServiceItem.objects.get(service="contraception_service")
    client.force_login(world["worker"])
    html = client.get(reverse("worklists:village", args=[V1])).content.decode()
    assert 'name="method" value="condom"' in html and 'name="method" value="removed"' not in html
    client.post(reverse("worklists:item_done", args=[item.pk]), {"method": "condom"})
    event = Event.objects.get(person=woman, type="contraception")
    assert event.method == "condom"
    task = item.task
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_items_added_by_a_recorded_event_link_the_event(world):
    from weiji.records.recording import event_record

    woman = make_person("W1", name="周敏", birth=date(1996, 4, 4), marital_status="20")
    today = world["today"]
    event = event_record(person=woman, type="pregnancy_registered", date=today,
                         lmp=today - timedelta(days=40), user=world["worker"])
    item = ServiceItem.objects.get(person=woman, service="early_pregnancy_registration")
    first = item.history.first()
    assert (first.change, first.reason, first.event_id) == ("added", "event", event.pk)
