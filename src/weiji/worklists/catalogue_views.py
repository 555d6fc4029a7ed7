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
        params = [(f"services.{name}.{k}", k, v) for k, v in cfg.items()
                  if k not in ("enabled", "responsible")]
        services.append({"name": name, "label": service_label(name), "cfg": cfg,
                         "params": params})
    return render(request, "worklists/catalogue.html", {
        "active": active, "services": services, "responsible_choices": RESPONSIBLE,
        "terms": [(f"terms.{k}", k, v) for k, v in (active.data.get("terms") or {}).items()],
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
