"""Pages: sources (mapping, upload, token), the discrepancy task lists, resolving, undoing merges."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from weiji.accounts.models import Role
from weiji.accounts.scope import scope_villages
from weiji.core.audit import AuditAction, audit_record
from weiji.core.masking import mask_id_number
from weiji.reconcile import forms, resolutions, selectors, services
from weiji.reconcile.exports import SHEET_NAMES, xlsx_write
from weiji.reconcile.models import Discrepancy, Kind, Merge, Resolution, Source, Status

_ADMIN_ROLES = {Role.DISTRICT_ADMIN}
_RESOLUTION_LABELS = {
    (Kind.UNMANAGED, Resolution.ACCEPT_SOURCE): "指定管理村",
    (Kind.PRESENT, Resolution.ACCEPT_SOURCE): "按实际居住村迁移",
    (Kind.UNLINKED, Resolution.KEEP_OURS): "不予登记（填写理由）",
    (Kind.DUPLICATE, Resolution.KEEP_OURS): "不是同一人（填写理由）",
    (Kind.MISSING, Resolution.KEEP_OURS): "核实在册（填写理由）",
    (Kind.ABSENT, Resolution.KEEP_OURS): "核实在住（填写理由）",
}


def _is_admin(user) -> bool:
    return user.is_superuser or user.role in _ADMIN_ROLES


def _require_admin(user) -> None:
    if not _is_admin(user):
        raise PermissionDenied("只有区卫计局管理员可以管理比对来源 / only district administrators manage sources")


@login_required
def index(request):
    return render(request, "reconcile/index.html", {
        "sources": selectors.source_list() if _is_admin(request.user) else [],
        "is_admin": _is_admin(request.user),
        "counts": [(k, label, n) for (k, label), n in zip(Kind.choices, selectors.discrepancy_counts(user=request.user).values(), strict=True)],
    })


@login_required
def source_new(request):
    _require_admin(request.user)
    form = forms.SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_create(user=request.user, **form.cleaned_data)
        except services.SourceError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("reconcile:source", code=source.code)
    return render(request, "reconcile/source_new.html", {"form": form})


@login_required
def source_detail(request, code: str):
    _require_admin(request.user)
    source = get_object_or_404(Source, code=code)
    mapping = forms.MappingForm(column_map=source.column_map)
    upload = forms.UploadForm()
    token = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "mapping":
            mapping = forms.MappingForm(request.POST, column_map=source.column_map)
            if mapping.is_valid():
                services.source_update(source=source, user=request.user, column_map=mapping.column_map())
                messages.success(request, "列映射已保存")
                return redirect("reconcile:source", code=code)
        elif action == "token":
            token = services.source_issue_token(source=source, user=request.user)
        elif action == "upload":
            upload = forms.UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                f = upload.cleaned_data["file"]
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / Path(f.name).name
                    with path.open("wb") as out:
                        for chunk in f.chunks():
                            out.write(chunk)
                    try:
                        snap = services.snapshot_import(source=source, path=path, user=request.user, filename=f.name)
                    except services.ImportError_ as exc:
                        upload.add_error("file", str(exc))
                    else:
                        run = services.reconcile_run(source=source, user=request.user)
                        messages.success(request, f"已导入 {snap.loaded} 条（拒绝 {snap.rejected} 条），比对完成：" + "，".join(
                            f"{Kind(k).label} {n}" for k, n in run.counts.get("items", {}).items()))
                        return redirect("reconcile:source", code=code)
        elif action == "run":
            run = services.reconcile_run(source=source, user=request.user)
            messages.success(request, f"比对完成，新增事项 {run.counts.get('created', 0)} 条")
            return redirect("reconcile:source", code=code)
    return render(request, "reconcile/source_detail.html", {
        "source": source, "mapping": mapping, "upload": upload, "token": token,
        "snapshots": source.snapshots.all()[:20], "runs": source.runs.all()[:10],
        "api_url": request.build_absolute_uri(reverse("reconcile:api_records", args=[source.code])),
    })


@login_required
def item_list(request):
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", Status.OPEN)
    qs = selectors.discrepancy_list(user=request.user, kind=kind if kind in Kind.values else "",
                                    status=status if status in Status.values else Status.OPEN,
                                    source=request.GET.get("source", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [_row(d) for d in page]
    return render(request, "reconcile/item_list.html", {
        "page": page, "rows": rows, "kind": kind, "status": status, "kinds": Kind.choices,
        "statuses": Status.choices, "query": f"kind={kind}&status={status}",
    })


def _row(d: Discrepancy) -> dict:
    p, r = d.person, d.record
    return {
        "item": d, "name": (p.name if p else "") or (r.name if r else ""),
        "id_masked": mask_id_number((p.id_number if p else "") or (r.id_number if r else "")),
        "birth_date": (p.birth_date if p else None) or (r.birth_date if r else None),
        "field": selectors.FIELD_LABELS.get(d.field, d.field),
    }


def _item_for(user, pk: int) -> Discrepancy:
    item = selectors.discrepancy_visible(user=user).select_related(
        "source", "record", "record__source", "person", "other_person", "orgunit").filter(pk=pk).first()
    if item is None:
        raise Http404("没有该事项或无权查看 / no such item in your area")
    return item


@login_required
def item_detail(request, pk: int):
    item = _item_for(request.user, pk)
    choices = [(r, _RESOLUTION_LABELS.get((item.kind, r), Resolution(r).label)) for r in resolutions.ALLOWED[item.kind]]
    masked = item.field in ("id_number",)
    return render(request, "reconcile/item_detail.html", {
        "item": item, "row": _row(item), "choices": choices,
        "source_value": mask_id_number(item.source_value) if masked else item.source_value,
        "register_value": mask_id_number(item.register_value) if masked else item.register_value,
        "villages": scope_villages(request.user).order_by("code") if item.kind in (Kind.UNLINKED, Kind.UNMANAGED) else [],
        "merges": Merge.objects.filter(discrepancy=item).select_related("survivor", "merged"),
        "record_masked_id": mask_id_number(item.record.id_number) if item.record else "",
        "mother_masked_id": mask_id_number(item.record.mother_id_number) if item.record else "",
    })


@login_required
@require_POST
def item_resolve(request, pk: int):
    item = _item_for(request.user, pk)
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理方式 / choose a resolution")
        return redirect("reconcile:item", pk=pk)
    village = form.cleaned_data["village"] or ""
    if village and not scope_villages(request.user).filter(code=village).exists():
        raise PermissionDenied("该村不在您的管辖范围 / that village is outside your area")
    try:
        resolutions.discrepancy_resolve(
            item=item, resolution=form.cleaned_data["resolution"], user=request.user,
            note=form.cleaned_data["note"] or "", village=village,
            survivor=form.cleaned_data["survivor"], request=request,
        )
    except resolutions.ResolveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已处理")
    return redirect("reconcile:item", pk=pk)


@login_required
@require_POST
def merge_undo(request, pk: int):
    merge = get_object_or_404(Merge, pk=pk)
    if merge.discrepancy_id is None:
        _require_admin(request.user)
    else:
        _item_for(request.user, merge.discrepancy_id)  # scope check
    try:
        resolutions.merge_undo(merge=merge, user=request.user, request=request)
    except resolutions.ResolveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "合并已撤销，两人恢复为独立人员")
    if merge.discrepancy_id:
        return redirect("reconcile:item", pk=merge.discrepancy_id)
    return redirect("reconcile:index")


@login_required
def item_export(request):
    rows = selectors.discrepancy_export_rows(source=None, user=request.user)
    header = [zh for _k, zh in selectors.EXPORT_COLUMNS]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lists.xlsx"
        xlsx_write(path, [(SHEET_NAMES[k], [header, *rows[k]]) for k in Kind.values])
        data = path.read_bytes()
    audit_record(user=request.user, action=AuditAction.EXPORT, object_type="reconcile.discrepancy",
                 detail={"rows": sum(len(v) for v in rows.values())}, request=request)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="reconcile-lists.xlsx"'
    return response
