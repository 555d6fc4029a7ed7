"""Indicator pages: dashboard, monthly report forms with their workflow, performance scores."""

from __future__ import annotations

import csv
import re
from datetime import date
from io import StringIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from weiji.accounts.models import Role
from weiji.accounts.scope import scope_contains, scope_units
from weiji.core.audit import AuditAction, audit_record
from weiji.indicators.dashboard import Dashboard
from weiji.indicators.models import ReportForm, ReportStatus
from weiji.indicators.reportforms import SERVICES, reportform_xlsx, service_counts
from weiji.indicators.selectors import reportform_list
from weiji.indicators.services import (
    ReportFormError,
    reportform_prepare,
    reportform_review,
    reportform_submit,
)
from weiji.orgunits.models import OrgUnit
from weiji.rules.dates import add_months
from weiji.web.views import require_role

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
REVIEWERS = (Role.DISTRICT_ADMIN,)
OFFICES = (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE)


def parse_month(value: str | None, default: date) -> date:
    m = MONTH_RE.match(value or "")
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1)
    return default


def last_complete_month() -> date:
    return add_months(timezone.localdate().replace(day=1), -1)


def _csv_response(name: str, header: list[str], rows: list[list]) -> HttpResponse:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------- dashboard
@login_required
def dashboard(request):
    board = Dashboard(
        user=request.user, unit=request.GET.get("unit"), indicator=request.GET.get("indicator"),
        population=request.GET.get("population", "all"),
        last_month=parse_month(request.GET.get("month"), last_complete_month()),
    )
    export = request.GET.get("export")
    if export in ("trend", "comparison", "tasks", "ranking"):
        points = getattr(board, {"tasks": "task_progress"}.get(export, export))()
        audit_record(user=request.user, action=AuditAction.EXPORT, object_type="indicators",
                     object_id=board.unit, request=request,
                     detail={"export": export, "indicator": board.indicator.code})
        return _csv_response(
            f"{export}-{board.unit}-{board.indicator.code.replace(':', '_')}.csv",
            ["label", "unit_code", "numerator", "denominator", "value"],
            [[p.label, p.code, p.numerator, p.denominator, p.value_text] for p in points],
        )
    return render(request, "indicators/dashboard.html", {
        "board": board, "trend": board.trend(), "comparison": board.comparison(),
        "tasks": board.task_progress(), "ranking": board.ranking(),
        "chart_data": board.chart_data(), "month": board.periods[-1][0],
        "populations": [("all", "全部"), ("registered", "户籍"), ("inflow", "流动")],
        "query": request.GET.urlencode(),
    })


# ---------------------------------------------------------------- report forms
def _form_unit(request, unit_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=unit_code, level__in=("town", "county")).first()
    if unit is None or not (request.user.is_superuser or scope_contains(request.user, unit.code)):
        raise Http404("no such unit in your scope")
    return unit


def _form_of(request, unit_code: str, month: str):
    """The office user's unit, the month's first day and its form (or None); 404 if bad."""
    require_role(request.user, *OFFICES)
    unit = _form_unit(request, unit_code)
    first = parse_month(month, None)
    if first is None:
        raise Http404("bad month")
    return unit, first, ReportForm.objects.filter(unit=unit, month=first).first()


@login_required
def report_index(request):
    require_role(request.user, *OFFICES)
    month = parse_month(request.GET.get("month"), last_complete_month())
    county = scope_units(request.user).filter(level="county").first()
    return render(request, "indicators/report_index.html", {
        "month": month, "towns": reportform_list(user=request.user, month=month),
        "county": county, "is_reviewer": request.user.is_superuser
        or request.user.role in REVIEWERS,
    })


@login_required
def report_detail(request, unit_code: str, month: str):
    unit, first, form = _form_of(request, unit_code, month)
    if unit.level == "county":
        data, towns = service_counts(unit=unit, month=first), reportform_list(
            user=request.user, month=first)
    else:
        data, towns = (form.data if form and form.data else None), None
    return render(request, "indicators/report_detail.html", {
        "unit": unit, "month": first, "form": form, "data": data, "services": SERVICES,
        "towns": towns, "events": form.events.all() if form else [],
        "is_reviewer": request.user.is_superuser or request.user.role in REVIEWERS,
        "can_prepare": unit.level == "town" and (form is None or form.status in (
            ReportStatus.DRAFT, ReportStatus.RETURNED)),
    })


@login_required
@require_POST
def report_action(request, unit_code: str, month: str):
    require_role(request.user, *OFFICES)
    unit = _form_unit(request, unit_code)
    first = parse_month(month, None)
    if first is None or unit.level != "town":
        raise Http404("bad form")
    action = request.POST.get("action", "")
    try:
        if action == "prepare":
            reportform_prepare(user=request.user, unit_code=unit.code, month=first,
                               request=request)
            messages.success(request, "月报表已生成 / form prepared")
        else:
            form = ReportForm.objects.filter(unit=unit, month=first).first()
            if form is None:
                raise ReportFormError("请先生成月报表 / prepare the form first")
            if action == "submit":
                reportform_submit(user=request.user, form=form,
                                  prepared_by=request.POST.get("prepared_by", ""), request=request)
                messages.success(request, "已上报区卫计局 / submitted to the district")
            elif action in ("approve", "return"):
                reportform_review(user=request.user, form=form, approve=action == "approve",
                                  comment=request.POST.get("comment", ""), request=request)
                messages.success(request, "审核通过，本期已锁定 / approved, the period is locked"
                                 if action == "approve" else "已退回 / returned")
            else:
                raise ReportFormError(f"未知操作 / unknown action {action!r}")
    except ReportFormError as exc:
        messages.error(request, str(exc))
    return redirect("indicators:report_detail", unit_code=unit.code, month=f"{first:%Y-%m}")


@login_required
def report_xlsx(request, unit_code: str, month: str):
    unit, first, form = _form_of(request, unit_code, month)
    if unit.level == "county":
        data = service_counts(unit=unit, month=first)
        prepared_by, reviewed_by, status = str(request.user), "", ""
        prepared_on = timezone.localdate()
    elif form is None or not form.data:
        raise Http404("the form has not been prepared")
    else:
        data, prepared_by, reviewed_by = form.data, form.prepared_by, form.reviewed_by
        prepared_on = (form.submitted_at or form.prepared_at).date()
        status = form.get_status_display()
    office = f"{unit.name}{'卫生和计划生育局' if unit.level == 'county' else '卫生和计划生育办公室'}"
    audit_record(user=request.user, action=AuditAction.EXPORT, object_type="indicators.reportform",
                 object_id=f"{unit.code}-{first:%Y-%m}", request=request, detail={"format": "xlsx"})
    content = reportform_xlsx(data, office=office, prepared_by=prepared_by,
                              reviewed_by=reviewed_by, prepared_on=prepared_on, status_label=status)
    return _xlsx_response(f"月报表-{unit.code}-{first:%Y-%m}.xlsx", content)
