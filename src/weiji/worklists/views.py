"""Work-list pages: a village's list, a facility's list, the town's supervision, leads."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from weiji.accounts.models import Role
from weiji.accounts.permissions import require_role
from weiji.accounts.scope import scope_contains, scope_filter
from weiji.core.audit import audit_record
from weiji.orgunits.models import OrgUnit
from weiji.records.models import Method
from weiji.worklists import selectors
from weiji.worklists.exports import worklist_xlsx
from weiji.worklists.models import ItemState, ServiceItem, TaskStatus
from weiji.worklists.servicemap import service_label, service_record
from weiji.worklists.taskflow import TaskError, task_complete, task_mark, task_visit

LEAD_ROLES = (Role.TOWN_OFFICE,)
SUPERVISION_ROLES = (Role.TOWN_OFFICE, Role.DISTRICT_ADMIN, Role.FACILITY_STAFF)


def _month(request) -> date:
    raw = request.GET.get("month", "")
    parsed = parse_date(f"{raw}-01") if raw else None
    return (parsed or timezone.localdate()).replace(day=1)


def _village(request, code: str) -> OrgUnit:
    village = get_object_or_404(OrgUnit, code=code, level="village")
    if not scope_contains(request.user, code):
        raise PermissionDenied("无权查看该村 / this village is outside your scope")
    return village


def _item(request, pk: int) -> ServiceItem:
    qs = scope_filter(request.user, ServiceItem.objects.select_related("person", "village"))
    item = qs.filter(pk=pk).first()
    if item is None:
        raise Http404("没有这项服务 / no such item")
    if item.service == selectors.LEAD_SERVICE:
        require_role(request.user, *LEAD_ROLES)
    return item


@login_required
def index(request):
    """Where a user's work list is: their village, their facility, or the town view."""
    user = request.user
    if user.role in (Role.VILLAGE_WORKER, Role.VILLAGE_DOCTOR):
        villages = selectors.villages_for(user)
        if len(villages) == 1:  # the list itself, without a redirect's round trip
            return village_list(request, villages[0].code)
        return render(request, "worklists/choose_village.html", {"villages": villages})
    if user.role == Role.FACILITY_STAFF:
        return redirect("worklists:facility")
    return redirect("worklists:town")


def _list_context(request, villages: list[str], month: date,
                  responsible: str | None = None) -> dict:
    items = selectors.worklist_items(user=request.user, month=month, villages=villages)
    if responsible:
        items = items.filter(responsible=responsible)
    groups = selectors.worklist_groups(items)
    return {"groups": groups, "month": month, "count": sum(len(g.items) for g in groups),
            "overdue": sum(g.overdue for g in groups), "methods": Method.choices,
            "today": timezone.localdate()}


@gzip_page
@login_required
def village_list(request, code: str):
    """A village worker's list for the month, by service, overdue first."""
    village = _village(request, code)
    month = _month(request)
    ctx = _list_context(request, [code], month)
    ctx.update(village=village, next=request.get_full_path())
    return render(request, "worklists/village.html", ctx)


@login_required
def village_print(request, code: str):
    village = _village(request, code)
    month = _month(request)
    ctx = _list_context(request, [code], month)
    ctx.update(village=village, printed_at=timezone.localtime())
    audit_record(user=request.user, action="export", object_type="worklists.village_list",
                 object_id=code, detail={"month": f"{month:%Y-%m}", "format": "print"},
                 request=request)
    return render(request, "worklists/print.html", ctx)


@login_required
def village_export(request, code: str):
    village = _village(request, code)
    month = _month(request)
    items = selectors.worklist_items(user=request.user, month=month, villages=[code])
    data = worklist_xlsx(items=items, title=f"{village.name} {month:%Y-%m} 服务名单")
    audit_record(user=request.user, action="export", object_type="worklists.village_list",
                 object_id=code, detail={"month": f"{month:%Y-%m}", "format": "xlsx",
                                         "rows": items.count()}, request=request)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="worklist-{code}-{month:%Y-%m}.xlsx"'
    return response


@gzip_page
@login_required
def facility_list(request):
    """A facility's list across the villages it serves (or any user's villages in scope)."""
    month = _month(request)
    villages = selectors.villages_for(request.user)
    chosen = request.GET.get("village", "")
    codes = [chosen] if chosen in {v.code for v in villages} else [v.code for v in villages]
    own = request.GET.get("own") == "1" and bool(request.user.facility_id)
    ctx = _list_context(request, codes, month,
                        responsible=request.user.facility_id if own else None)
    names = {v.code: v.name for v in villages}
    for group in ctx["groups"]:
        for item in group.items:
            item.village_name = names.get(item.village_id, item.village_id)
    ctx.update(villages=villages, chosen=chosen, own=own, next=request.get_full_path())
    return render(request, "worklists/facility.html", ctx)


@login_required
def town_progress(request):
    """Supervision: progress per village and per worker (完成率, overdue counts)."""
    require_role(request.user, *SUPERVISION_ROLES)
    month = _month(request)
    villages = selectors.progress_by_village(user=request.user, month=month)
    totals = selectors.VillageProgress("", "合计")
    for v in villages:
        totals.open += v.open
        totals.overdue += v.overdue
        totals.done += v.done
        totals.visited += v.visited
    workers = selectors.progress_by_worker(user=request.user, month=month, villages=villages)
    return render(request, "worklists/town.html", {
        "month": month, "villages": villages, "totals": totals, "workers": workers})


@login_required
def leads(request):
    """孕情不明原因消失 leads (两非线索): the town office only."""
    require_role(request.user, *LEAD_ROLES)
    month = _month(request)
    items = selectors.worklist_items(user=request.user, month=month, leads=True)
    return render(request, "worklists/leads.html", {"items": items, "month": month})


@login_required
def item_detail(request, pk: int):
    item = _item(request, pk)
    record = service_record(item.service)
    return render(request, "worklists/item.html", {
        "item": item, "label": service_label(item.service),
        "history": item.history.select_related("event").order_by("id"),
        "task": getattr(item, "task", None),
        "actions": (item.task.actions.select_related("user", "event").order_by("id")
                    if hasattr(item, "task") else []),
        # Reminders sent from this item (messaging's outbox links to it).
        "reminders": (item.messages.order_by("planned_at") if hasattr(item, "messages")
                      else []),
        "can_complete": item.state == ItemState.OPEN and record is not None and record.closes,
        "needs_method": record is not None and record.needs_method,
        "methods": Method.choices, "today": timezone.localdate(),
        "outcomes": [(s, TaskStatus(s).label) for s in
                     (TaskStatus.REFUSED, TaskStatus.UNREACHABLE, TaskStatus.MOVED_OUT,
                      TaskStatus.PENDING)],
    })


def _back(request, item: ServiceItem):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("worklists:item", pk=item.pk)


def _errors(request, exc: TaskError) -> None:
    for message in exc.errors.values():
        messages.error(request, message)


@require_POST
@login_required
def item_done(request, pk: int):
    """Record the service of the item (one tap from the list; date = today unless given)."""
    item = _item(request, pk)
    on = parse_date(request.POST.get("date", "")) if request.POST.get("date") else None
    try:
        task_complete(item=item, user=request.user, on=on,
                      method=request.POST.get("method", ""),
                      performed_by=request.POST.get("performed_by", ""), request=request)
    except TaskError as exc:
        _errors(request, exc)
        return redirect("worklists:item", pk=item.pk)
    messages.success(request, f"已记录：{item.person.name} {service_label(item.service)}")
    return _back(request, item)


@require_POST
@login_required
def item_visit(request, pk: int):
    """Record a home visit: who visited, who signed, who is responsible."""
    item = _item(request, pk)
    on = parse_date(request.POST.get("date", "")) if request.POST.get("date") else None
    try:
        task_visit(item=item, user=request.user, on=on,
                   visited_by=request.POST.get("visited_by", ""),
                   signed_by=request.POST.get("signed_by", ""),
                   responsible_person=request.POST.get("responsible_person", ""),
                   note=request.POST.get("note", ""), request=request)
    except TaskError as exc:
        _errors(request, exc)
        return redirect("worklists:item", pk=item.pk)
    messages.success(request, f"已记录入户访查：{item.person.name}")
    return redirect("worklists:item", pk=item.pk)


@require_POST
@login_required
def item_mark(request, pk: int):
    item = _item(request, pk)
    try:
        task_mark(item=item, user=request.user, status=request.POST.get("status", ""),
                  note=request.POST.get("note", ""), request=request)
    except TaskError as exc:
        _errors(request, exc)
        return redirect("worklists:item", pk=item.pk)
    messages.success(request, "已更新任务状态")
    return redirect(reverse("worklists:item", kwargs={"pk": item.pk}))
