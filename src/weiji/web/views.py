"""Pages shared across apps: home and the audit log."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from weiji.accounts.models import Role
from weiji.accounts.permissions import require_role
from weiji.core.models import AuditAction, AuditEntry


@login_required
def home(request):
    unit = request.user.facility or request.user.orgunit
    return render(request, "web/home.html", {"scope_root": unit})


def _day_bound(value: str, end: bool):
    day = parse_date(value or "")
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@login_required
def audit_log(request):
    """The audit log, read only, filterable by user, action, object and dates."""
    require_role(request.user, Role.DISTRICT_ADMIN)
    qs = AuditEntry.objects.all()
    f = {k: request.GET.get(k, "").strip() for k in
         ("username", "action", "object_type", "object_id", "since", "until")}
    if f["username"]:
        qs = qs.filter(username__iexact=f["username"])
    if f["action"] in AuditAction.values:
        qs = qs.filter(action=f["action"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["object_id"]:
        qs = qs.filter(object_id=f["object_id"])
    since, until = _day_bound(f["since"], False), _day_bound(f["until"], True)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lte=until)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit_log.html", {
        "page": page, "filters": f, "actions": AuditAction.choices, "query": query.urlencode(),
    })
