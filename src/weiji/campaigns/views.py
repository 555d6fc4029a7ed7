"""Campaign pages: list, definition/import, progress and ranking, target list, check-in,
daily upload, home visits and the acceptance report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from weiji.accounts.models import Role
from weiji.campaigns.acceptance import format_rate
from weiji.campaigns.definition import (
    DefinitionError,
    definition_from_mapping,
    definition_from_yaml,
)
from weiji.campaigns.exports import report_csv, targets_xlsx
from weiji.campaigns.forms import (
    CampaignForm,
    CheckinForm,
    HomeVisitForm,
    UploadForm,
    YamlImportForm,
)
from weiji.campaigns.models import Campaign
from weiji.campaigns.selectors import (
    campaign_checkin_search,
    campaign_list,
    campaign_progress,
    campaign_report_results,
    campaign_target_marks,
    campaign_targets_qs,
)
from weiji.campaigns.services import (
    CampaignError,
    campaign_checkin,
    campaign_home_visit,
    campaign_import,
    campaign_reminders_plan,
    campaign_targets_generate,
)
from weiji.campaigns.upload import campaign_upload, upload_template
from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import Facility
from weiji.web.views import require_role

MANAGERS = (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE)
SITE_ROLES = (Role.FACILITY_STAFF, Role.DISTRICT_ADMIN, Role.TOWN_OFFICE)
VISIT_ROLES = (Role.VILLAGE_WORKER, Role.VILLAGE_DOCTOR, Role.FACILITY_STAFF, Role.TOWN_OFFICE,
               Role.DISTRICT_ADMIN)


def _campaign(request, code: str) -> Campaign:
    campaign = get_object_or_404(Campaign, code=code)
    if not campaign_list(user=request.user).filter(pk=campaign.pk).exists():
        raise Http404("no such campaign in your scope")
    return campaign


def _site_facility(request, campaign: Campaign) -> Facility | None:
    """The facility a check-in or upload is recorded at: the user's own, or one of the
    campaign's sites chosen by a manager."""
    if request.user.facility_id:
        return request.user.facility
    code = request.POST.get("facility") or request.GET.get("facility")
    if code and campaign.sites.filter(facility_id=code).exists():
        return Facility.objects.get(code=code)
    return None


@login_required
def campaign_index(request):
    can_manage = request.user.is_superuser or request.user.role in MANAGERS
    return render(request, "campaigns/list.html", {
        "campaigns": campaign_list(user=request.user), "can_manage": can_manage,
        "today": timezone.localdate(),
    })


def _initial(campaign: Campaign) -> dict:
    params = campaign.target_params
    return {
        "code": campaign.code, "name": campaign.name, "start": campaign.start,
        "end": campaign.end, "target_rule": campaign.target_rule,
        "born_on_or_after": params.get("born_on_or_after"), "min_age": params.get("min_age"),
        "max_age": params.get("max_age"),
        "rural_attendance": campaign.rural_attendance, "rural_visit": campaign.rural_visit,
        "urban_attendance": campaign.urban_attendance, "urban_visit": campaign.urban_visit,
        "sites": "\n".join(f"{s.orgunit_id}={s.facility_id}" for s in campaign.sites.all()),
        "services": ",".join(campaign.services), "scope": ",".join(campaign.scope),
        "reminder_days_before_end": campaign.reminder_days_before_end,
    }


def _save_definition(request, defn) -> Campaign | None:
    try:
        campaign = campaign_import(definition=defn, user=request.user, request=request)
    except CampaignError as exc:
        messages.error(request, str(exc))
        return None
    n = campaign_targets_generate(campaign=campaign)
    messages.success(request, f"已保存活动，服务对象 {n} 人 / saved; {n} targets")
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, code: str | None = None):
    require_role(request.user, *MANAGERS)
    existing = _campaign(request, code) if code else None
    form = CampaignForm(request.POST or None,
                        initial=_initial(existing) if existing else None)
    yaml_form = YamlImportForm()
    if request.method == "POST" and "file" in request.FILES:
        yaml_form = YamlImportForm(request.POST, request.FILES)
        form = CampaignForm(initial=_initial(existing) if existing else None)
        if yaml_form.is_valid():
            upload = yaml_form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
                defn = definition_from_yaml(text, source=upload.name)
            except (UnicodeDecodeError, DefinitionError) as exc:
                yaml_form.add_error("file", str(exc) if isinstance(exc, DefinitionError)
                                    else "文件不是 UTF-8 文本 / the file is not UTF-8 text")
            else:
                campaign = _save_definition(request, defn)
                if campaign:
                    return redirect("campaigns:detail", code=campaign.code)
    elif request.method == "POST" and form.is_valid():
        try:
            defn = definition_from_mapping(form.as_mapping(), source="表单 / form")
        except DefinitionError as exc:
            form.add_error(None, str(exc))
        else:
            campaign = _save_definition(request, defn)
            if campaign:
                return redirect("campaigns:detail", code=campaign.code)
    return render(request, "campaigns/edit.html", {
        "form": form, "yaml_form": yaml_form, "campaign": existing,
    })


@login_required
def campaign_detail(request, code: str):
    campaign = _campaign(request, code)
    progress = campaign_progress(campaign=campaign, user=request.user)
    midpoint = campaign.start + (campaign.end - campaign.start) / 2
    return render(request, "campaigns/detail.html", {
        "campaign": campaign, "progress": progress,
        "rows": [_row(r, campaign) for r in progress.visible],
        "zones": [{"code": z.zone_code, "targets": z.targets, "attended": z.attended,
                   "visited": z.visited, "attendance": format_rate(z.attendance),
                   "visit": format_rate(z.visit)} for z in progress.zones],
        "lagging": [_row(r, campaign) for r in progress.lagging],
        "show_talks": progress.day >= midpoint,
        "can_manage": request.user.is_superuser or request.user.role in MANAGERS,
        "sites": campaign.sites.select_related("orgunit", "facility"),
    })


def _row(result, campaign) -> dict:
    th = campaign.definition().threshold_for(result.urban_rural)
    return {
        "r": result, "attendance": format_rate(result.attendance),
        "visit": format_rate(result.visit),
        "attendance_low": result.targets and result.attendance < th.attendance_fraction,
        "visit_low": result.targets and result.visit < th.visit_fraction,
        "class_label": "城镇" if result.urban_rural == "urban" else "乡村",
    }


@login_required
@require_POST
def campaign_refresh_targets(request, code: str):
    require_role(request.user, *MANAGERS)
    campaign = _campaign(request, code)
    n = campaign_targets_generate(campaign=campaign)
    messages.success(request, f"服务对象名单已更新：{n} 人 / target list refreshed: {n}")
    return redirect("campaigns:detail", code=code)


@login_required
@require_POST
def campaign_remind(request, code: str):
    """发送预约提醒: queue appointment reminders for the user's targets who have not come."""
    require_role(request.user, *MANAGERS)
    campaign = _campaign(request, code)
    if timezone.localdate() > campaign.end:
        messages.error(request, "活动已结束，不再发送预约提醒 / the campaign has ended")
        return redirect("campaigns:detail", code=code)
    counts = campaign_reminders_plan(
        campaign=campaign, targets=campaign_targets_qs(campaign=campaign, user=request.user))
    audit_record(user=request.user, action=AuditAction.CREATE, obj=campaign, request=request,
                 detail={"what": "campaign_reminders", **counts})
    messages.success(request, (
        f"已安排预约提醒 {counts['created']} 条，将在发送时段内陆续发出（每人每天至多一条）；"
        f"已进站或已访查 {counts['skipped_attended']} 人、无手机号 {counts['skipped_no_phone']} 人"
        f"未安排 / {counts['created']} reminders queued"))
    return redirect("campaigns:detail", code=code)


@login_required
def campaign_targets(request, code: str):
    campaign = _campaign(request, code)
    village = request.GET.get("village") or None
    targets = list(campaign_targets_qs(campaign=campaign, user=request.user, village=village))
    marks = campaign_target_marks(campaign=campaign, person_ids=[t.person_id for t in targets])
    sites = {s.orgunit_id: s.facility.name for s in campaign.sites.select_related("facility")}
    if request.GET.get("format") == "xlsx":
        audit_record(user=request.user, action=AuditAction.EXPORT, obj=campaign, request=request,
                     detail={"what": "campaign_targets", "village": village or "",
                             "rows": len(targets)})
        response = HttpResponse(
            targets_xlsx(campaign=campaign, targets=targets, marks=marks, sites=sites),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (
            f'attachment; filename="targets-{campaign.code}-{village or "all"}.xlsx"')
        return response
    villages = sorted({(t.village_id, t.village.name) for t in targets})
    return render(request, "campaigns/targets.html", {
        "campaign": campaign, "targets": [(t, marks.get(t.person_id)) for t in targets],
        "village": village, "villages": villages, "sites": sites,
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_checkin_page(request, code: str):
    require_role(request.user, *SITE_ROLES)
    campaign = _campaign(request, code)
    facility = _site_facility(request, campaign)
    q = request.GET.get("q", "").strip()
    checked = None
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if facility is None:
            messages.error(request, "请选择查体点 / choose the checkup site")
        elif form.is_valid():
            target = campaign_targets_qs(campaign=campaign, user=request.user).filter(
                pk=form.cleaned_data["target"]).first()
            if target is None:
                raise PermissionDenied("not a target in your scope / 不在您的服务范围")
            try:
                campaign_checkin(campaign=campaign, person=target.person, facility=facility,
                                 user=request.user, request=request)
            except CampaignError as exc:
                messages.error(request, str(exc))
            else:
                checked = target
                messages.success(request, f"{target.person.name} 已登记查体 / checked in")
    results = campaign_checkin_search(campaign=campaign, user=request.user, q=q) if q else []
    marks = campaign_target_marks(campaign=campaign, person_ids=[t.person_id for t in results])
    village_row = None
    if checked is not None:
        progress = campaign_progress(campaign=campaign, user=None)
        match = [r for r in progress.results if r.village_code == checked.village_id]
        village_row = _row(match[0], campaign) if match else None
    return render(request, "campaigns/checkin.html", {
        "campaign": campaign, "facility": facility, "q": q,
        "results": [(t, marks.get(t.person_id)) for t in results],
        "checked": checked, "village_row": village_row,
        "site_choices": campaign.sites.select_related("facility"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_upload_page(request, code: str):
    require_role(request.user, *SITE_ROLES)
    campaign = _campaign(request, code)
    if request.GET.get("template"):
        response = HttpResponse(
            upload_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="checkup-template.xlsx"'
        return response
    facility = _site_facility(request, campaign)
    form = UploadForm(request.POST or None, request.FILES or None)
    upload = None
    if request.method == "POST" and form.is_valid():
        if facility is None:
            messages.error(request, "请选择查体点 / choose the checkup site")
        else:
            f = form.cleaned_data["file"]
            try:
                upload = campaign_upload(campaign=campaign, facility=facility, fileobj=f,
                                         filename=f.name, user=request.user, request=request)
            except CampaignError as exc:
                form.add_error("file", str(exc))
    return render(request, "campaigns/upload.html", {
        "campaign": campaign, "facility": facility, "form": form, "upload": upload,
        "site_choices": campaign.sites.select_related("facility"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def campaign_visit(request, code: str, target_id: int):
    require_role(request.user, *VISIT_ROLES)
    campaign = _campaign(request, code)
    target = campaign_targets_qs(campaign=campaign, user=request.user).filter(
        pk=target_id).first()
    if target is None:
        raise Http404("no such target in your scope")
    form = HomeVisitForm(request.POST or None, initial={
        "visited_by": str(request.user), "date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            campaign_home_visit(campaign=campaign, person=target.person,
                                visited_by=form.cleaned_data["visited_by"], user=request.user,
                                day=form.cleaned_data["date"], request=request)
        except CampaignError as exc:
            form.add_error("date" if exc.field == "date" else None, str(exc))
        else:
            messages.success(request, f"已记录对 {target.person.name} 的入户访查 / visit recorded")
            return redirect(f"{_url('campaigns:targets', code)}?village={target.village_id}")
    return render(request, "campaigns/visit.html", {
        "campaign": campaign, "target": target, "form": form,
    })


def _url(name: str, code: str) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"code": code})


@login_required
def campaign_report(request, code: str):
    """The acceptance report CSV, exactly as ``weiji campaign-report`` writes it."""
    require_role(request.user, *MANAGERS)
    campaign = _campaign(request, code)
    defn = campaign.definition()
    text = report_csv(campaign_report_results(defn))
    audit_record(user=request.user, action=AuditAction.EXPORT, obj=campaign, request=request,
                 detail={"what": "campaign_report"})
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.code}.csv"'
    return response

