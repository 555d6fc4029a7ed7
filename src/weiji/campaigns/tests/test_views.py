"""Campaign pages: definition, progress, check-in on a phone, target list, report, exchange."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from weiji.campaigns.exchange import exchange_deliver, exchange_warnings
from weiji.campaigns.models import Campaign, ExchangeNotice, ExchangeReturn
from weiji.campaigns.services import campaign_targets_generate
from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.records.models import Event

pytestmark = pytest.mark.django_db


def _yaml(today: date, code: str = "spring-web") -> bytes:
    return f"""
code: {code}
name: 春季妇幼计生技术服务活动
start: {today - timedelta(days=10):%Y-%m-%d}
end: {today + timedelta(days=10):%Y-%m-%d}
target: {{rule: spring_women_checkup, born_on_or_after: 1973-01-01}}
thresholds:
  rural: {{attendance: 0.85, visit: 0.97}}
  urban: {{attendance: 0.50, visit: 0.70}}
sites: {{370303001Z01: F001}}
""".encode()


@pytest.fixture
def world(client):
    tree = f.make_tree()
    women = [
        f.make_person(village=tree.v1, name=name, birth_date=date(1990, 1, 1),
                      id_number=f.make_id_number(birth_date=date(1990, 1, 1), sex="2"),
                      phone="13812345678", residency="inflow", inflow_date=date(2020, 1, 1),
                      marital_status="20")
        for name in ("王芳", "李娜")
    ]
    admin = f.make_user(role="district_admin", orgunit=tree.county)
    client.force_login(admin)
    today = timezone.localdate()
    response = client.post(reverse("campaigns:new"), {
        "file": SimpleUploadedFile("spring.yaml", _yaml(today))})
    assert response.status_code == 302, response.content.decode()[:2000]
    return tree, women, admin, Campaign.objects.get(code="spring-web")


def test_yaml_import_creates_campaign_and_target_list(world):
    _tree, women, _admin, campaign = world
    assert campaign.targets.count() == 2
    assert campaign.sites.get().facility_id == "F001"


def test_yaml_import_error_names_the_field(client, world):
    bad = _yaml(timezone.localdate(), "x").replace(b"visit: 0.97", b"visit: 2")
    response = client.post(reverse("campaigns:new"), {
        "file": SimpleUploadedFile("bad.yaml", bad)})
    assert response.status_code == 200
    assert "thresholds.rural.visit" in response.content.decode()


def test_form_definition_saves_a_campaign(client, world):
    today = timezone.localdate()
    response = client.post(reverse("campaigns:new"), {
        "code": "wra", "name": "育龄妇女查体", "start": today.isoformat(),
        "end": (today + timedelta(days=5)).isoformat(), "target_rule": "women_of_reproductive_age",
        "rural_attendance": "0.8", "rural_visit": "0.9", "urban_attendance": "0.5",
        "urban_visit": "0.7", "sites": "370303001001=F001", "services": "health_checkup",
        "scope": "370303001",
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get(code="wra")
    assert campaign.scope == ["370303001"] and campaign.targets.count() == 2


def test_progress_page_ranks_and_highlights(client, world):
    tree, women, _admin, campaign = world
    Event.objects.create(event_id="HC1", person=women[0], type="health_checkup",
                         date=timezone.localdate(), facility=tree.f1)
    page = client.get(reverse("campaigns:detail", args=[campaign.code])).content.decode()
    assert f'id="v-{tree.v1.code}" class="below"' in page  # 0.5 < 0.85 for a rural village
    assert "0.5000" in page and "约谈" in page  # past the midpoint


def test_report_csv_is_the_command_output(client, world, tmp_path):
    from django.core.management import call_command

    _tree, _women, _admin, campaign = world
    path = tmp_path / "c.yaml"
    path.write_bytes(_yaml(timezone.localdate()))
    call_command("campaign-report", str(path), out=str(tmp_path / "out.csv"))
    response = client.get(reverse("campaigns:report", args=[campaign.code]))
    assert response.content.decode() == (tmp_path / "out.csv").read_text()
    assert AuditEntry.objects.filter(action="export", object_id=str(campaign.pk)).exists()


def test_target_list_xlsx_masks_ids(client, world):
    _tree, women, _admin, campaign = world
    response = client.get(reverse("campaigns:targets", args=[campaign.code]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert women[0].id_number not in values
    assert women[0].id_number[:6] + "********" + women[0].id_number[-4:] in values
    assert "138****5678" in values


def test_village_worker_cannot_check_in_or_see_other_towns(client, world):
    tree, _women, _admin, campaign = world
    worker = f.make_user(role="village_worker", orgunit=tree.v3)
    client.force_login(worker)
    assert client.get(reverse("campaigns:checkin", args=[campaign.code])).status_code == 403
    page = client.get(reverse("campaigns:targets", args=[campaign.code])).content.decode()
    assert "王芳" not in page


def test_home_visit_page_records_the_visit(client, world):
    tree, women, _admin, campaign = world
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    client.force_login(worker)
    target = campaign.targets.get(person=women[1])
    response = client.post(reverse("campaigns:visit", args=[campaign.code, target.pk]), {
        "visited_by": "赵专干", "date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    event = Event.objects.get(person=women[1], type="home_visit")
    assert (event.performed_by, event.signed_by) == ("赵专干", worker.username)


def test_exchange_delivery_inbox_receive_and_return(client, world):
    tree, women, admin, _campaign = world
    today = timezone.localdate()
    month = today.replace(day=1) - timedelta(days=1)
    newcomer = f.make_person(village=tree.v1, name="新来", residency="inflow",
                             inflow_date=month.replace(day=2), birth_date=date(2022, 5, 5))
    notices = exchange_deliver(month=month.replace(day=1))
    assert {n.town_id for n in notices} == {tree.town1.code, tree.town2.code}
    notice = ExchangeNotice.objects.get(town=tree.town1)
    assert notice.counts == {"new_inflows.csv": 1, "inflow_pregnancies_births.csv": 0,
                             "inflow_children.csv": 1}
    assert notice.facility_id == "F001" and notice.deadline.day == 10
    assert exchange_deliver(month=month.replace(day=1))[0].pk == notices[0].pk  # idempotent
    staff = f.make_user(role="facility_staff", facility=tree.f1)
    client.force_login(staff)
    inbox = client.get(reverse("campaigns:exchange_inbox")).content.decode()
    assert "东镇" in inbox and "南镇" not in inbox
    client.post(reverse("campaigns:exchange_receive", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.status == "received"
    csv = client.get(reverse("campaigns:exchange_download", args=[notice.pk, "new_inflows.csv"]))
    assert "新来" in csv.content.decode()
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    client.force_login(worker)
    row = notice.rows.get(person=newcomer, list_name="inflow_children.csv")
    client.post(reverse("campaigns:exchange_detail", args=[notice.pk]), {
        "row": row.pk, "service": "vaccination", "service_date": today.isoformat()})
    assert ExchangeReturn.objects.get(person=newcomer).service == "vaccination"
    notice.refresh_from_db()
    assert notice.status == "returned"


def test_overdue_exchange_warnings(world):
    tree, _women, admin, _campaign = world
    today = date(2026, 12, 11)
    warnings = exchange_warnings(user=admin, today=today)
    assert {(w.town_code, w.month) for w in warnings} == {
        (tree.town1.code, date(2026, 11, 1)), (tree.town2.code, date(2026, 11, 1))}
    exchange_deliver(month=date(2026, 11, 1))
    warnings = exchange_warnings(user=admin, today=today)
    assert all("签收" in w.reason for w in warnings) and len(warnings) == 2
    assert exchange_warnings(user=admin, today=date(2026, 12, 10)) == []


def test_regenerating_targets_page(client, world):
    _tree, _women, _admin, campaign = world
    response = client.post(reverse("campaigns:refresh", args=[campaign.code]))
    assert response.status_code == 302
    assert campaign_targets_generate(campaign=campaign) == 2


def test_dashboard_panel_tag_lists_overdue_exchanges(rf, world):
    from django.template import Context, Template

    _tree, _women, admin, _campaign = world
    request = rf.get("/")
    request.user = admin
    html = Template("{% load campaigns %}{% exchange_warnings_panel %}").render(
        Context({"request": request}))
    today = timezone.localdate()
    # Last month's lists were never delivered: a warning once the 10th has passed.
    assert ("exchange-warnings" in html) == (today.day > 10)


def test_every_page_renders_for_a_manager(client, world):
    tree, women, _admin, campaign = world
    target = campaign.targets.first()
    exchange_deliver(month=date(2026, 11, 1))
    notice = ExchangeNotice.objects.get(town=tree.town1)
    for url in (
        reverse("campaigns:index"), reverse("campaigns:new"),
        reverse("campaigns:edit", args=[campaign.code]),
        reverse("campaigns:detail", args=[campaign.code]),
        reverse("campaigns:targets", args=[campaign.code]) + f"?village={tree.v1.code}",
        reverse("campaigns:checkin", args=[campaign.code]) + "?facility=F001&q=王",
        reverse("campaigns:upload", args=[campaign.code]),
        reverse("campaigns:upload", args=[campaign.code]) + "?template=1",
        reverse("campaigns:visit", args=[campaign.code, target.pk]),
        reverse("campaigns:exchange_inbox"),
        reverse("campaigns:exchange_detail", args=[notice.pk]),
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("campaigns:checkin", args=[campaign.code]) + "?facility=F001&q=王")
    assert "王芳" in page.content.decode() and women[0].id_number not in page.content.decode()


def test_manager_checks_in_at_a_chosen_site_and_uploads(client, world):
    tree, women, _admin, campaign = world
    target = campaign.targets.get(person=women[0])
    response = client.post(reverse("campaigns:checkin", args=[campaign.code]) + "?q=王",
                           {"target": target.pk, "facility": "F001"})
    assert "village-rate" in response.content.decode()
    assert Event.objects.get(person=women[0], type="health_checkup").facility_id == "F001"
    # Not a site of this campaign: refused.
    response = client.post(reverse("campaigns:checkin", args=[campaign.code]),
                           {"target": target.pk, "facility": "F002"})
    assert "请选择查体点" in response.content.decode()
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["身份证号", "姓名"])
    book.active.append([women[1].id_number, women[1].name])
    book.active.append(["bad", ""])
    buf = io.BytesIO()
    book.save(buf)
    response = client.post(reverse("campaigns:upload", args=[campaign.code]), {
        "facility": "F001",
        "file": SimpleUploadedFile("day.xlsx", buf.getvalue())})
    page = response.content.decode()
    assert 'id="upload-errors"' in page and "<td>3</td>" in page
    assert Event.objects.filter(person=women[1], type="health_checkup").count() == 1
