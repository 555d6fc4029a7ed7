"""Pages of the migrant exchange inbox: notices, sign-for, download, return report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from weiji.accounts.models import Role
from weiji.accounts.scope import scope_villages
from weiji.campaigns.exchange import (
    ExchangeError,
    exchange_notices,
    exchange_receive,
    exchange_return_record,
    exchange_warnings,
)
from weiji.campaigns.models import ExchangeNotice, ReturnService
from weiji.core.audit import AuditAction, audit_record
from weiji.core.masking import mask_id_number
from weiji.indicators.exchange import FILE_TITLES, FILES, csv_text
from weiji.web.views import require_role

RECEIVERS = (Role.FACILITY_STAFF, Role.TOWN_OFFICE, Role.DISTRICT_ADMIN)
RETURNERS = (Role.VILLAGE_WORKER, Role.VILLAGE_DOCTOR, Role.FACILITY_STAFF, Role.TOWN_OFFICE,
             Role.DISTRICT_ADMIN)


class ReturnForm(forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    service = forms.ChoiceField(label="服务项目", choices=ReturnService.choices)
    service_date = forms.DateField(label="服务日期",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注", required=False, max_length=200)


def _notice(request, pk: int) -> ExchangeNotice:
    notice = exchange_notices(user=request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404("no such notice in your scope")
    return notice


def _visible_rows(request, notice: ExchangeNotice):
    rows = notice.rows.select_related("person", "village")
    if not request.user.is_superuser and request.user.role in (Role.VILLAGE_WORKER,
                                                               Role.VILLAGE_DOCTOR):
        rows = rows.filter(village__in=scope_villages(request.user))
    return rows


@login_required
def exchange_inbox(request):
    return render(request, "campaigns/exchange_inbox.html", {
        "notices": exchange_notices(user=request.user)[:60],
        "warnings": exchange_warnings(user=request.user),
        "today": timezone.localdate(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exchange_detail(request, pk: int):
    notice = _notice(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, *RETURNERS)
        if form.is_valid():
            row = _visible_rows(request, notice).filter(pk=form.cleaned_data["row"]).first()
            if row is None:
                raise Http404("no such row in your scope")
            try:
                exchange_return_record(
                    notice=notice, person=row.person, service=form.cleaned_data["service"],
                    service_date=form.cleaned_data["service_date"], user=request.user,
                    note=form.cleaned_data["note"], request=request)
            except ExchangeError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已反馈 / return recorded")
                return redirect("campaigns:exchange_detail", pk=notice.pk)
        else:
            messages.error(request, "请填写服务项目和日期 / enter the service and its date")
    rows = list(_visible_rows(request, notice))
    returns = {}
    for r in notice.returns.select_related("person"):
        returns.setdefault(r.person_id, []).append(r)
    groups = [(name, FILE_TITLES[name], [(r, returns.get(r.person_id, []))
                                         for r in rows if r.list_name == name])
              for name in FILES]
    return render(request, "campaigns/exchange_detail.html", {
        "notice": notice, "groups": groups, "form": ReturnForm(),
        "overdue": notice.status == "sent" and notice.deadline < timezone.localdate(),
        "can_receive": request.user.is_superuser or request.user.role in RECEIVERS,
    })


@login_required
@require_POST
def exchange_receive_view(request, pk: int):
    require_role(request.user, *RECEIVERS)
    notice = _notice(request, pk)
    exchange_receive(notice=notice, user=request.user, request=request)
    messages.success(request, "已签收 / signed for")
    return redirect("campaigns:exchange_detail", pk=notice.pk)


@login_required
def exchange_download(request, pk: int, name: str):
    """One of the three lists of the notice as CSV, in the exchange format with ID numbers
    masked (full values are on each person's own page); the download is audited."""
    require_role(request.user, *RECEIVERS)
    notice = _notice(request, pk)
    if name not in FILES:
        raise Http404("no such list")
    out = []
    for row in notice.rows.filter(list_name=name).select_related("person", "village"):
        p = row.person
        out.append({
            "village_code": row.village_id, "person_local_id": p.local_id,
            "id_number": mask_id_number(p.id_number), "name": p.name, "sex": p.sex,
            "birth_date": p.birth_date.isoformat(),
            "inflow_date": p.inflow_date.isoformat() if p.inflow_date else "",
            "event": row.event, "event_date": row.event_date.isoformat() if row.event_date else "",
        })
    audit_record(user=request.user, action=AuditAction.EXPORT, obj=notice, request=request,
                 detail={"list": name, "rows": len(out)})
    response = HttpResponse(csv_text(out, FILES[name]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{notice.month:%Y-%m}-{name}"'
    return response

