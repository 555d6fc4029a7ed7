"""The district administrator's catalogue page: parameters, services on/off, schedule versions."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from weiji.accounts.models import Role
from weiji.worklists.catalogue import (
    CatalogueError,
    catalogue_current,
    catalogue_diff,
    catalogue_version_create,
    flatten,
)
from weiji.worklists.models import CatalogueVersion
from weiji.worklists.servicemap import service_label

SCHEDULE_COLUMNS = ("schedule", "effective_from", "vaccine", "name_zh", "dose", "age_months",
                    "min_interval_days", "max_age_months")
SCHEDULE_INTS = {"dose", "age_months", "min_interval_days", "max_age_months"}
PARAM_LABELS = {
    "window_days": "服务期（天）", "start_days": "开始（lmp后天数）", "end_days": "截止（lmp后天数）",
    "expires_days": "失效（天）", "marriage_within_days": "婚后天数内", "supply_days": "叶酸供应（天）",
    "max_gestational_age_days": "孕周上限（天）", "done_days": "完成期限（天）",
    "done_from_days": "完成起（天）", "done_to_days": "完成止（天）",
    "done_before_days": "提前完成（天）", "last_expires_days": "末次失效（天）",
    "listed_days": "线索保留（天）", "recent_outcome_days": "妊娠结局后（天）内",
    "short_acting_days": "短效方法有效（天）", "min_children": "最少子女数",
    "min_age_years": "最低年龄（岁）", "migrant_months": "流入满（月）",
    "max_age_years": "最大年龄（岁）", "reproductive_age_min": "育龄下限（岁）",
    "reproductive_age_max": "育龄上限（岁）", "pregnancy_max_days": "妊娠最长（天）",
    "gestation_days": "孕期（天）", "lost_after_edd_days": "预产期后视为不明（天）",
    "default_discharge_days": "默认出院（结局后天数）",
}
FAMILY_LABELS = {"child_checkup": "儿童健康检查", "vaccine": "预防接种", "chronic_followup": "慢病随访"}
RESPONSIBLE = (("facility", "卫生院/社区卫生服务中心"), ("village", "村"), ("town", "镇卫计办"))


def _require_admin(user) -> None:
    if not (user.is_superuser or user.role == Role.DISTRICT_ADMIN):
        raise PermissionDenied("此页面仅限区卫计局管理员 / district administrators only")


def schedule_to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SCHEDULE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in SCHEDULE_COLUMNS})
    return out.getvalue()


def schedule_from_csv(text: str) -> list[dict[str, Any]]:
    """Rows of the immunization schedule from CSV text; errors name the row and column."""
    reader = csv.DictReader(io.StringIO(text.strip()))
    missing = [c for c in SCHEDULE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(f"免疫程序缺少列 {', '.join(missing)} / the schedule lacks columns "
                             f"{', '.join(missing)}; 第一行须为列名 / the first line must be the header")
    rows = []
    for n, raw in enumerate(reader, start=2):
        row: dict[str, Any] = {}
        for col in SCHEDULE_COLUMNS:
            value = (raw.get(col) or "").strip()
            if col in SCHEDULE_INTS:
                if not value.isdigit():
                    raise CatalogueError(f"免疫程序第{n}行 {col} 须为非负整数 / schedule line {n}: "
                                         f"{col} must be a whole number, got {value!r}")
                row[col] = int(value)
            else:
                row[col] = value
        rows.append(row)
    return rows


def _from_post(post, current: dict[str, Any]) -> dict[str, Any]:
    """The edited catalogue: every scalar parameter of the current version read from the form."""
    data = copy.deepcopy(current)
    for path, old in flatten({k: v for k, v in current.items()
                              if k not in ("schedule", "version")}).items():
        if isinstance(old, bool):
            value: Any = path in post
        elif isinstance(old, int):
            raw = post.get(path, "").strip()
            if not raw.lstrip("-").isdigit():
                raise CatalogueError(f"参数 {path} 须为整数 / parameter {path} must be a whole "
                                     f"number, got {raw!r}")
            value = int(raw)
        else:
            value = post.get(path, old if old is not None else "").strip()
        target = data
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(parts[-1])] = value
        else:
            target[parts[-1]] = value
    if "schedule" in current:
        data["schedule"] = schedule_from_csv(post.get("schedule_csv", ""))
    return data


@login_required
def catalogue_page(request):
    _require_admin(request.user)
    active = catalogue_current()
    if request.method == "POST":
        try:
            data = _from_post(request.POST, active.data)
            row = catalogue_version_create(data=data, user=request.user,
                                           note=request.POST.get("note", ""))
        except CatalogueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已保存为第 {row.version} 版服务目录；下次生成名单时生效")
            return redirect("worklists:catalogue")
    services = []
    for name, cfg in (active.data.get("services") or {}).items():
        params = [(f"services.{name}.{k}", PARAM_LABELS.get(k, k), v) for k, v in cfg.items()
                  if k not in ("enabled", "responsible")]
        label = FAMILY_LABELS.get(name) or service_label(name)
        services.append({"name": name, "label": label, "cfg": cfg,
                         "params": params})
    return render(request, "worklists/catalogue.html", {
        "active": active, "services": services, "responsible_choices": RESPONSIBLE,
        "terms": [(f"terms.{k}", PARAM_LABELS.get(k, k), v)
                  for k, v in (active.data.get("terms") or {}).items()],
        "checkups": list(enumerate(active.data.get("child_checkups") or [])),
        "schedule_csv": schedule_to_csv(active.data.get("schedule") or []),
        "versions": CatalogueVersion.objects.select_related("created_by")[:50],
    })


@login_required
def catalogue_version_page(request, version: int):
    _require_admin(request.user)
    row = get_object_or_404(CatalogueVersion, version=version)
    previous = CatalogueVersion.objects.filter(version__lt=version).order_by("-version").first()
    changes = catalogue_diff(previous.data if previous else {}, row.data)
    changes.pop("version", None)
    return render(request, "worklists/catalogue_version.html",
                  {"row": row, "previous": previous, "changes": sorted(changes.items())})
