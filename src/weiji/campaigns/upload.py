"""The daily upload: a site's results sheet (.xlsx) of the day, checked row by row.

The first sheet's first row is the header. Columns (Chinese or English names):
``身份证号``/``id_number`` or ``编号``/``person_local_id`` (one of them), ``姓名``/``name``
(checked against the register when given) and ``查体日期``/``date`` (YYYY-MM-DD or a date
cell; the upload day when empty). Every valid row becomes the target's ``health_checkup``
at the uploading site; every other row is reported with its row number, column and reason,
and nothing about it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from django.db import transaction
from django.utils import timezone

from weiji.campaigns.models import Campaign, CampaignUpload
from weiji.campaigns.services import CampaignError, campaign_checkin
from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import Facility
from weiji.registry.models import Person

HEADERS = {
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "person_local_id": ("编号", "人员编号", "person_local_id", "local_id"),
    "name": ("姓名", "name"),
    "date": ("查体日期", "日期", "date"),
}
TEMPLATE_HEADER = ["身份证号", "编号", "姓名", "查体日期"]


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _columns(header: list[object]) -> dict[str, int]:
    names = [_cell_text(h) for h in header]
    found = {}
    for key, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases or name.lower() in aliases:
                found[key] = i
                break
    return found


def _parse_date(value: object, default: date) -> date | None:
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read_rows(fileobj: IO[bytes]) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise CampaignError(f"无法读取表格（请上传 .xlsx 文件）/ cannot read the sheet "
                            f"(upload an .xlsx file): {exc.__class__.__name__}") from None
    try:
        sheet = book.worksheets[0]
        return [tuple(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def campaign_upload(
    *, campaign: Campaign, facility: Facility, fileobj: IO[bytes], filename: str, user,
    today: date | None = None, request=None,
) -> CampaignUpload:
    """Check and load a day's results sheet; return the upload with its row-level errors."""
    today = today or timezone.localdate()
    rows = _read_rows(fileobj)
    if not rows:
        raise CampaignError("表格为空 / the sheet is empty")
    cols = _columns(list(rows[0]))
    if "id_number" not in cols and "person_local_id" not in cols:
        raise CampaignError("第1行缺少“身份证号”或“编号”列 / row 1 needs an id_number or "
                            "person_local_id column")
    errors: list[RowError] = []
    read = loaded = 0
    for number, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i] if i < len(row) else None) for k, i in cols.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        read += 1
        error = _load_row(campaign=campaign, facility=facility, cells=cells, row=number,
                          user=user, today=today, request=request)
        if error is None:
            loaded += 1
        else:
            errors.append(error)
    upload = CampaignUpload.objects.create(
        campaign=campaign, facility=facility, filename=filename[:200], rows_read=read,
        rows_loaded=loaded, errors=[e.as_dict() for e in errors],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(user=user, action=AuditAction.IMPORT, obj=upload, request=request,
                 detail={"campaign": campaign.code, "read": read, "loaded": loaded,
                         "rejected": len(errors)})
    return upload


def _load_row(*, campaign, facility, cells, row, user, today, request) -> RowError | None:
    id_number = _cell_text(cells.get("id_number")).upper()
    local_id = _cell_text(cells.get("person_local_id"))
    name = _cell_text(cells.get("name"))
    persons = Person.objects.filter(merged_into__isnull=True)
    if id_number:
        person, column = persons.filter(id_number=id_number).order_by("pk").first(), "id_number"
    elif local_id:
        person, column = persons.filter(local_id=local_id).first(), "person_local_id"
    else:
        return RowError(row, "id_number", "缺少身份证号或编号 / the ID number or local id is missing")
    if person is None:
        return RowError(row, column, "查无此人，请核对号码 / no person with this number; check it")
    if name and name != person.name:
        return RowError(row, "name", f"姓名与登记的“{person.name}”不符 / the name does not match "
                        "the register")
    day = _parse_date(cells.get("date"), today)
    if day is None:
        return RowError(row, "date", "日期应为 YYYY-MM-DD / the date must be YYYY-MM-DD")
    if day > today:
        return RowError(row, "date", "日期不能晚于今天 / the date cannot be in the future")
    try:
        with transaction.atomic():
            campaign_checkin(campaign=campaign, person=person, facility=facility, user=user,
                             day=day, request=request)
    except CampaignError as exc:
        return RowError(row, column if exc.field in ("person", "") else exc.field, str(exc))
    return None


def upload_template() -> bytes:
    """An empty results sheet with the expected header."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "查体结果"
    sheet.append(TEMPLATE_HEADER)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
