"""Performance-scoring pages: ranking with item breakdown, the bulletin, the scheme."""

from __future__ import annotations

import json
import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from weiji.accounts.models import Role, User
from weiji.accounts.scope import scope_villages
from weiji.core.audit import AuditAction, audit_record
from weiji.indicators.exports import bulletin_xlsx
from weiji.indicators.scoring import SchemeError, score_villages, score_workers
from weiji.indicators.selectors import active_indicators, cached_counts, scoring_items
from weiji.indicators.services import indicator_periods_refresh, scoring_scheme_save
from weiji.indicators.views import _xlsx_response, last_complete_month
from weiji.rules.dates import add_months, month_end
from weiji.web.views import require_role

PERIOD_RE = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")
MANAGERS = (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE, Role.FACILITY_STAFF)


def parse_period(value: str | None) -> tuple[date, date, str]:
    """``YYYY-MM`` (monthly) or ``YYYY-Qn`` (quarterly); default: the last complete month."""
    m = PERIOD_RE.match(value or "")
    if m and m.group(3):
        first = date(int(m.group(1)), 3 * int(m.group(3)) - 2, 1)
        return first, month_end(add_months(first, 2)), f"{first.year}年第{m.group(3)}季度"
    if m and 1 <= int(m.group(2)) <= 12:
        first = date(int(m.group(1)), int(m.group(2)), 1)
    else:
        first = last_complete_month()
    return first, month_end(first), f"{first.year}年{first.month}月"


def _scores(request):
    p1, p2, label = parse_period(request.GET.get("period"))
    kind = "worker" if request.GET.get("kind") == "worker" else "village"
    name, items = scoring_items()
    indicators = active_indicators()
    period = indicator_periods_refresh(periods=[(p1, p2)], indicators=indicators)[(p1, p2)]
    counts = cached_counts(period)
    villages = list(scope_villages(request.user).order_by("code"))
    if kind == "worker":
        workers = list(User.objects.filter(
            role__in=(Role.VILLAGE_WORKER, Role.VILLAGE_DOCTOR), is_active=True,
            orgunit__in=villages).select_related("orgunit").order_by("orgunit_id", "username"))
        scores = score_workers(items=items, p1=p1, p2=p2, workers=workers,
                               indicator_counts=counts)
    else:
        scores = score_villages(items=items, p1=p1, p2=p2, villages=villages,
                                indicator_counts=counts)
    return p1, p2, label, kind, name, items, scores


@login_required
def scores(request):
    require_role(request.user, *MANAGERS)
    p1, p2, label, kind, name, items, results = _scores(request)
    if request.GET.get("export") == "xlsx":
        audit_record(user=request.user, action=AuditAction.EXPORT, object_type="indicators.scores",
                     object_id=f"{p1:%Y-%m}", request=request, detail={"kind": kind})
        content = bulletin_xlsx(
            title="卫生计生工作绩效考核通报", subtitle=f"（{label}，{name}）", scores=results,
            items=items, kind_label="专干/医生" if kind == "worker" else "村（居）")
        return _xlsx_response(f"绩效考核通报-{p1:%Y-%m}-{kind}.xlsx", content)
    return render(request, "indicators/scores.html", {
        "label": label, "kind": kind, "scheme": name, "items": items, "scores": results,
        "period": request.GET.get("period", f"{p1:%Y-%m}"),
        "can_edit": request.user.is_superuser or request.user.role == Role.DISTRICT_ADMIN,
    })


@login_required
def scheme_edit(request):
    require_role(request.user, Role.DISTRICT_ADMIN)
    name, items = scoring_items()
    text = json.dumps(items, ensure_ascii=False, indent=2)
    if request.method == "POST":
        text = request.POST.get("items", "")
        try:
            parsed = json.loads(text)
            if not isinstance(parsed, list):
                raise SchemeError("考核项应为列表 / items must be a JSON list")
            scoring_scheme_save(user=request.user, name=request.POST.get("name", ""),
                                items=parsed, request=request)
        except json.JSONDecodeError as exc:
            messages.error(request, f"JSON 格式错误（第{exc.lineno}行）/ invalid JSON at line "
                                    f"{exc.lineno}: {exc.msg}")
        except SchemeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "考核方案已保存 / scheme saved")
            return redirect("indicators:scores")
        name = request.POST.get("name", name)
    return render(request, "indicators/scheme.html", {"name": name, "items_text": text})
