"""Recording an event on a person, and the bundle upload page for district admins."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weiji.accounts.models import Role
from weiji.accounts.permissions import require_role
from weiji.core.audit import AuditAction, audit_record
from weiji.records.forms import TYPE_FIELDS, EventForm, UploadForm
from weiji.records.recording import EventError, event_record
from weiji.registry.selectors import person_get_scoped

MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
UPLOAD_ERRORS_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request, pk: int):
    person = person_get_scoped(user=request.user, pk=pk)
    form = EventForm(request.POST or None, user=request.user,
                     initial={"type": request.GET.get("type", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            event_record(
                person=person, type=d["type"], date=d["date"], user=request.user,
                lmp=d["lmp"], outcome=d["outcome"], discharge_date=d["discharge_date"],
                vaccine=d["vaccine"], dose=d["dose"], method=d["method"],
                condition=d["condition"], partner=d["partner_ref"], facility=d["facility"],
                performed_by=d["performed_by"], request=request,
            )
        except EventError as exc:
            for field, message in exc.errors.items():
                field = "partner_ref" if field == "partner" else field
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("已记录"))
            return redirect("registry:person", pk=person.pk)
    return render(request, "records/event_form.html", {
        "form": form, "person": person, "type_fields": TYPE_FIELDS,
    })


def _upload_dir(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / token


def _extract_zip(archive: Path, target: Path) -> Path:
    """Unpack a folder-zip safely and return the folder that holds the CSV files."""
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            member = PurePosixPath(info.filename)
            if member.is_absolute() or ".." in member.parts:
                raise ValueError(_("压缩包中的路径不安全：%(name)s") % {"name": info.filename})
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise ValueError(_("压缩包解压后超过 1 GB"))
        zf.extractall(target)
    folders = [target] + sorted(p for p in target.rglob("*") if p.is_dir())
    for folder in folders:
        if any(folder.glob("*.csv")) and "__MACOSX" not in folder.parts:
            return folder
    raise ValueError(_("压缩包中没有 CSV 文件（orgunits.csv、persons.csv 等）"))


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a bundle (.zip of the CSV folder, or .xlsx) and show what the load did."""
    require_role(request.user, Role.DISTRICT_ADMIN)
    from weiji.records import services as record_services

    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    token = ""
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["bundle"]
        token = uuid.uuid4().hex
        folder = _upload_dir(token)
        folder.mkdir(parents=True)
        suffix = ".zip" if upload_file.name.lower().endswith(".zip") else ".xlsx"
        saved = folder / f"bundle{suffix}"
        with saved.open("wb") as out:
            for chunk in upload_file.chunks():
                out.write(chunk)
        try:
            source = _extract_zip(saved, folder / "bundle") if suffix == ".zip" else saved
        except (ValueError, zipfile.BadZipFile) as exc:
            form.add_error("bundle", str(exc) if isinstance(exc, ValueError)
                           else _("不是有效的 zip 文件 / not a valid zip file"))
        else:
            try:
                report = record_services.bundle_load(source=source, user=request.user)
            except record_services.BundleError as exc:
                form.add_error("bundle", str(exc))
            else:
                record_services.report_errors_xlsx(report, folder / "errors.xlsx")
                (folder / "report.json").write_text(
                    json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")
                request.session.setdefault("weiji_uploads", [])
                # bundle_load audits the import itself.
                request.session["weiji_uploads"] = [*request.session["weiji_uploads"], token]
    files = []
    if report is not None:
        for name, file_report in report.files.items():
            errors = sorted(file_report.errors, key=lambda e: e.row)
            files.append({"name": name, "read": file_report.read,
                          "loaded": file_report.loaded, "rejected": file_report.rejected,
                          "errors": errors[:UPLOAD_ERRORS_SHOWN]})
    return render(request, "records/upload.html", {
        "form": form, "report": report, "files": files, "token": token,
        "shown": UPLOAD_ERRORS_SHOWN,
    })


@login_required
def upload_errors(request, token: str):
    """The rejected rows of one of this session's uploads, as .xlsx."""
    require_role(request.user, Role.DISTRICT_ADMIN)
    if token not in request.session.get("weiji_uploads", []):
        raise Http404
    path = _upload_dir(token) / "errors.xlsx"
    if not path.exists():
        raise Http404
    audit_record(user=request.user, action=AuditAction.EXPORT, object_type="bundle_errors",
                 object_id=token, request=request)
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"weiji-errors-{token[:8]}.xlsx")
