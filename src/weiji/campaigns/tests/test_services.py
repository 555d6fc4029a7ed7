"""Campaign definitions in the database, target lists, check-in, home visits, daily upload."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from weiji.campaigns.definition import definition_from_mapping
from weiji.campaigns.models import CampaignTarget
from weiji.campaigns.selectors import campaign_progress, campaign_target_marks
from weiji.campaigns.services import (
    CampaignError,
    campaign_checkin,
    campaign_home_visit,
    campaign_import,
    campaign_targets_generate,
)
from weiji.campaigns.upload import campaign_upload
from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.orgunits.models import FacilityKind
from weiji.records.models import Event

pytestmark = pytest.mark.django_db


def _definition(**over):
    today = timezone.localdate()
    data = {
        "code": "spring-test", "name": "春季查体", "start": today - timedelta(days=3),
        "end": today + timedelta(days=20),
        "target": {"rule": "spring_women_checkup", "born_on_or_after": "1973-01-01"},
        "thresholds": {"rural": {"attendance": 0.85, "visit": 0.97},
                       "urban": {"attendance": 0.5, "visit": 0.7}},
    }
    data.update(over)
    return definition_from_mapping(data, source="test")


@pytest.fixture
def world():
    tree = f.make_tree()
    clinic = f.make_facility(code="VC1", name="东村卫生室", orgunit=tree.v1,
                             kind=FacilityKind.VILLAGE_CLINIC)
    women = [
        f.make_person(village=tree.v1, name=name, birth_date=date(1990, 1, 1),
                      id_number=f.make_id_number(birth_date=date(1990, 1, 1), sex="2"),
                      residency="inflow", inflow_date=date(2020, 1, 1), marital_status="20")
        for name in ("王芳", "李娜", "张丽")
    ]
    f.make_person(village=tree.v1, name="未婚", birth_date=date(1995, 1, 1), residency="inflow",
                  inflow_date=date(2020, 1, 1), marital_status="10")
    staff = f.make_user(role="facility_staff", facility=tree.f1)
    campaign = campaign_import(definition=_definition(sites={tree.zone1.code: "F001"}),
                               user=staff)
    campaign_targets_generate(campaign=campaign)
    return tree, clinic, women, staff, campaign


def test_import_stores_the_definition_and_targets(world):
    tree, _clinic, women, _staff, campaign = world
    assert campaign.definition().sites == {tree.zone1.code: "F001"}
    assert campaign.definition().target_params["born_on_or_after"] == date(1973, 1, 1)
    assert sorted(t.person.name for t in campaign.targets.all()) == sorted(w.name for w in women)
    # idempotent, and updates in place
    again = campaign_import(definition=_definition(name="改名"), user=None)
    assert again.pk == campaign.pk and again.name == "改名" and again.sites.count() == 0
    assert campaign_targets_generate(campaign=again) == 3


def test_import_rejects_unknown_site_units_and_facilities(world):
    with pytest.raises(CampaignError, match="sites"):
        campaign_import(definition=_definition(sites={"999": "F001"}))
    with pytest.raises(CampaignError, match="NOPE"):
        campaign_import(definition=_definition(sites={"370303001Z01": "NOPE"}))


def test_checkin_records_one_shared_checkup_and_updates_the_rate(world):
    tree, _clinic, women, staff, campaign = world
    event = campaign_checkin(campaign=campaign, person=women[0], facility=tree.f1, user=staff)
    again = campaign_checkin(campaign=campaign, person=women[0], facility=tree.f1, user=staff)
    assert event.pk == again.pk and event.type == "health_checkup"
    assert Event.objects.filter(person=women[0], type="health_checkup").count() == 1
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="create").exists()
    progress = campaign_progress(campaign=campaign, user=staff)
    row = {r.village_code: r for r in progress.results}[tree.v1.code]
    assert (row.targets, row.attended, row.attended_today) == (3, 1, 1)


def test_checkin_at_a_village_clinic_is_not_attendance(world):
    _tree, clinic, women, staff, campaign = world
    campaign_checkin(campaign=campaign, person=women[1], facility=clinic, user=staff)
    marks = campaign_target_marks(campaign=campaign, person_ids=[women[1].pk])
    assert marks[women[1].pk].attended_on is None
    progress = campaign_progress(campaign=campaign, user=staff)
    assert {r.village_code: r for r in progress.results}[women[1].village_id].attended == 0


def test_checkin_refuses_non_targets_and_days_outside(world):
    tree, _clinic, women, staff, campaign = world
    stranger = f.make_person(village=tree.v2, name="路人", sex="1")
    with pytest.raises(CampaignError) as exc:
        campaign_checkin(campaign=campaign, person=stranger, facility=tree.f1, user=staff)
    assert exc.value.field == "person"
    with pytest.raises(CampaignError) as exc:
        campaign_checkin(campaign=campaign, person=women[0], facility=tree.f1, user=staff,
                         day=campaign.start - timedelta(days=1))
    assert exc.value.field == "date"


def test_home_visit_records_who_visited_and_who_signed(world):
    _tree, _clinic, women, staff, campaign = world
    with pytest.raises(CampaignError):
        campaign_home_visit(campaign=campaign, person=women[2], visited_by=" ", user=staff)
    event = campaign_home_visit(campaign=campaign, person=women[2], visited_by="刘专干",
                                user=staff, day=campaign.start)
    assert (event.type, event.performed_by, event.signed_by) == (
        "home_visit", "刘专干", staff.username)
    marks = campaign_target_marks(campaign=campaign, person_ids=[women[2].pk])
    assert marks[women[2].pk].visited_on == campaign.start
    assert marks[women[2].pk].attended_on is None


def _sheet(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def test_upload_loads_good_rows_and_reports_bad_ones(world):
    tree, _clinic, women, staff, campaign = world
    today = timezone.localdate()
    stranger = f.make_person(village=tree.v2, name="路人", sex="1")
    sheet = _sheet([
        ["身份证号", "编号", "姓名", "查体日期"],
        [women[0].id_number, "", women[0].name, today.isoformat()],
        ["", women[1].local_id, "", None],
        [women[2].id_number, "", "错名", today.isoformat()],
        ["", stranger.local_id, "", ""],
        ["110101199001011234", "", "", ""],
        [women[2].id_number, "", "", "2026/01/01"],
        [women[2].id_number, "", "", (campaign.end + timedelta(days=1)).isoformat()],
        [None, None, None, None],
    ])
    upload = campaign_upload(campaign=campaign, facility=tree.f1, fileobj=sheet,
                             filename="day.xlsx", user=staff, today=today)
    assert (upload.rows_read, upload.rows_loaded) == (7, 2)
    assert [(e["row"], e["column"]) for e in upload.errors] == [
        (4, "name"), (5, "person_local_id"), (6, "id_number"), (7, "date"), (8, "date")]
    assert all(" / " in e["reason"] for e in upload.errors)
    assert Event.objects.filter(type="health_checkup", facility=tree.f1).count() == 2


def test_upload_without_an_id_column_is_refused(world):
    tree, _clinic, _women, staff, campaign = world
    with pytest.raises(CampaignError, match="row 1"):
        campaign_upload(campaign=campaign, facility=tree.f1, fileobj=_sheet([["姓名"], ["王芳"]]),
                        filename="x.xlsx", user=staff)
    with pytest.raises(CampaignError, match="xlsx"):
        campaign_upload(campaign=campaign, facility=tree.f1, fileobj=io.BytesIO(b"not a book"),
                        filename="x.xlsx", user=staff)


def test_targets_follow_the_rule_when_regenerated(world):
    _tree, _clinic, women, _staff, campaign = world
    women[0].marital_status = "40"
    women[0].save(update_fields=["marital_status"])
    assert campaign_targets_generate(campaign=campaign) == 2
    assert not CampaignTarget.objects.filter(campaign=campaign, person=women[0]).exists()


def test_acceptance_in_period_feeds_the_quarterly_score(world):
    from weiji.campaigns.selectors import campaign_acceptance_in_period

    tree, _clinic, women, staff, campaign = world
    campaign_checkin(campaign=campaign, person=women[0], facility=tree.f1, user=staff)
    found = campaign_acceptance_in_period(start=campaign.end, end=campaign.end)
    assert [c.code for c, _ in found] == [campaign.code]
    row = {r.village_code: r for r in found[0][1]}[tree.v1.code]
    assert (row.targets, row.attended, row.passed, row.rank) == (3, 1, False, 1)
    later = campaign.end + timedelta(days=1)
    assert campaign_acceptance_in_period(start=later, end=later + timedelta(days=90)) == []
