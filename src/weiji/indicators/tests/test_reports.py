"""Monthly report forms: counts, .xlsx layout, submit → review → approve/return, lock, audit."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.indicators.models import ReportForm, ReportFormEvent, ReportStatus
from weiji.indicators.reportforms import service_counts
from weiji.indicators.selectors import period_is_locked
from weiji.indicators.services import (
    ReportFormError,
    reportform_prepare,
    reportform_review,
    reportform_submit,
)

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def tree():
    tree = f.make_tree()
    a = f.make_person(village=tree.v1, name="甲", birth_date=date(1995, 1, 1))
    b = f.make_person(village=tree.v2, name="乙", residency="inflow", inflow_date=date(2020, 1, 1))
    c = f.make_person(village=tree.v3, name="丙")
    f.make_event(person=a, type="antenatal_visit", date=date(2026, 3, 1))
    f.make_event(person=a, type="antenatal_visit", date=date(2026, 3, 31))
    f.make_event(person=a, type="antenatal_visit", date=date(2026, 4, 1))  # next month
    f.make_event(person=b, type="pregnancy_outcome", date=date(2026, 3, 5), outcome="live_birth")
    f.make_event(person=b, type="pregnancy_outcome", date=date(2026, 3, 6), outcome="miscarriage")
    f.make_event(person=b, type="chronic_followup", date=date(2026, 3, 6), condition="diabetes")
    f.make_event(person=c, type="home_visit", date=date(2026, 3, 9))
    return tree


def test_counts_by_village_and_population(tree):
    data = service_counts(unit=tree.town1, month=MARCH)
    rows = {r["code"]: r["counts"] for r in data["rows"]}
    assert set(rows) == {tree.v1.code, tree.v2.code}
    assert rows[tree.v1.code]["antenatal_visit"] == {"registered": 2, "inflow": 0}
    assert rows[tree.v2.code]["live_birth"] == {"registered": 0, "inflow": 1}
    assert rows[tree.v2.code]["diabetes_followup"] == {"registered": 0, "inflow": 1}
    assert data["total"]["home_visit"] == {"registered": 0, "inflow": 0}  # other town
    county = service_counts(unit=tree.county, month=MARCH)
    assert [r["code"] for r in county["rows"]] == [tree.town1.code, tree.town2.code]
    assert county["total"]["home_visit"] == {"registered": 1, "inflow": 0}


def test_workflow_submit_return_resubmit_approve_lock(tree):
    office = f.make_user(role="town_office", orgunit=tree.town1)
    district = f.make_user(role="district_admin", orgunit=tree.county)
    form = reportform_prepare(user=office, unit_code=tree.town1.code, month=MARCH)
    assert form.status == ReportStatus.DRAFT and form.data["rows"]
    with pytest.raises(ReportFormError, match="填报人"):
        reportform_submit(user=office, form=form, prepared_by=" ")
    form = reportform_submit(user=office, form=form, prepared_by="王芳")
    assert form.status == ReportStatus.SUBMITTED
    with pytest.raises(ReportFormError):
        reportform_prepare(user=office, unit_code=tree.town1.code, month=MARCH)
    with pytest.raises(ReportFormError, match="区卫计局"):
        reportform_review(user=office, form=form, approve=True)
    with pytest.raises(ReportFormError, match="原因"):
        reportform_review(user=district, form=form, approve=False, comment="")
    form = reportform_review(user=district, form=form, approve=False, comment="活产数核对")
    assert form.status == ReportStatus.RETURNED and not form.locked
    form = reportform_prepare(user=office, unit_code=tree.town1.code, month=MARCH)
    form = reportform_submit(user=office, form=form, prepared_by="王芳")
    assert not period_is_locked(village_code=tree.v1.code, day=date(2026, 3, 15))
    form = reportform_review(user=district, form=form, approve=True, comment="")
    assert form.status == ReportStatus.APPROVED and form.locked
    assert period_is_locked(village_code=tree.v1.code, day=date(2026, 3, 15))
    assert not period_is_locked(village_code=tree.v1.code, day=date(2026, 4, 1))
    assert not period_is_locked(village_code=tree.v3.code, day=date(2026, 3, 15))
    with pytest.raises(ReportFormError):
        reportform_prepare(user=office, unit_code=tree.town1.code, month=MARCH)
    actions = list(ReportFormEvent.objects.filter(form=form).values_list("action", "to_status"))
    assert actions == [("prepare", "draft"), ("submit", "submitted"), ("return", "returned"),
                       ("prepare", "returned"), ("submit", "submitted"), ("approve", "approved")]
    audited = AuditEntry.objects.filter(object_type="indicators.reportform",
                                        object_id=str(form.pk))
    assert audited.count() == 6
    with pytest.raises(PermissionError):
        ReportFormEvent.objects.first().save()


def test_other_town_office_cannot_prepare(tree):
    other = f.make_user(role="town_office", orgunit=tree.town2)
    with pytest.raises(ReportFormError, match="本镇"):
        reportform_prepare(user=other, unit_code=tree.town1.code, month=MARCH)


def test_pages_and_xlsx_layout(tree, client):
    office = f.make_user(role="town_office", orgunit=tree.town1)
    client.force_login(office)
    url = f"/indicators/reports/{tree.town1.code}/2026-03/"
    assert client.get("/indicators/reports/?month=2026-03").status_code == 200
    client.post(url + "action/", {"action": "prepare"})
    page = client.get(url)
    assert "东村" in page.content.decode() and "产前检查" in page.content.decode()
    client.post(url + "action/", {"action": "submit", "prepared_by": "王芳"})
    assert ReportForm.objects.get().status == ReportStatus.SUBMITTED
    response = client.get(url + "form.xlsx")
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "东镇卫生计生服务月报表"
    assert ws["A2"].value == "（2026年3月）"
    assert "填报单位：东镇卫生和计划生育办公室" == ws["A3"].value
    assert "A4:A5" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["C5"].value == "户籍" and ws["D5"].value == "流动"
    assert ws["B8"].value == "合计"
    assert any(str(c.value).startswith("填报人：王芳") for c in ws[10] if c.value)
    # town office of another town cannot see it; a village worker cannot use the page
    client.force_login(f.make_user(role="town_office", orgunit=tree.town2))
    assert client.get(url).status_code == 404
    client.force_login(f.make_user(role="village_worker", orgunit=tree.v1))
    assert client.get(url).status_code == 403
    client.force_login(f.make_user(role="district_admin", orgunit=tree.county))
    county = client.get(f"/indicators/reports/{tree.county.code}/2026-03/")
    assert county.status_code == 200 and "南镇" in county.content.decode()
    assert client.get(f"/indicators/reports/{tree.county.code}/2026-03/form.xlsx").status_code == 200
