"""Monthly report forms (月报表): service counts per village/town, and their .xlsx layout.

Counts are one grouped SQL query over the month's events (by the person's current village
and residency, event type and its outcome/condition). ``registered`` counts 户籍 persons
(registered_present and registered_absent — a service given to an absent resident is still
a service to a registered person), ``inflow`` counts 流动人口.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.db.models import Count
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.rules.dates import month_end


@dataclass(frozen=True)
class Service:
    code: str
    label: str
    type: str
    outcome: str = ""
    condition: str = ""


SERVICES: tuple[Service, ...] = (
    Service("marriage", "结婚登记", "marriage"),
    Service("preconception_checkup", "孕前优生健康检查", "preconception_checkup"),
    Service("folic_acid", "增补叶酸", "folic_acid"),
    Service("pregnancy_registered", "孕情登记", "pregnancy_registered"),
    Service("maternal_handbook", "早孕建册", "maternal_handbook"),
    Service("antenatal_visit", "产前检查", "antenatal_visit"),
    Service("live_birth", "活产", "pregnancy_outcome", outcome="live_birth"),
    Service("postpartum_visit", "产后访视", "postpartum_visit"),
    Service("postpartum_42d", "产后42天检查", "postpartum_42d"),
    Service("newborn_visit", "新生儿访视", "newborn_visit"),
    Service("child_checkup", "儿童健康检查", "child_checkup"),
    Service("vaccination", "预防接种(剂次)", "vaccination"),
    Service("contraception", "避孕节育服务", "contraception"),
    Service("health_checkup", "健康查体", "health_checkup"),
    Service("home_visit", "入户访查", "home_visit"),
    Service("elderly_checkup", "老年人健康体检", "elderly_checkup"),
    Service("hypertension_followup", "高血压随访", "chronic_followup", condition="hypertension"),
    Service("diabetes_followup", "糖尿病随访", "chronic_followup", condition="diabetes"),
)
POPULATIONS = ("registered", "inflow")
POPULATION_LABELS = {"registered": "户籍", "inflow": "流动"}


def _population(residency: str) -> str:
    return "inflow" if residency == "inflow" else "registered"


def _match(service: Service, type_: str, outcome: str, condition: str) -> bool:
    return (service.type == type_ and (not service.outcome or service.outcome == outcome)
            and (not service.condition or service.condition == condition))


def service_counts(*, unit: OrgUnit, month: date) -> dict:
    """The form's data: one row per village (town form) or per town (district form).

    ``{"unit", "unit_name", "month", "rows": [{"code", "name", "counts": {service:
    {"registered": n, "inflow": n}}}], "total": {...}}`` — JSON-ready.
    """
    from weiji.records.models import Event

    p1, p2 = month.replace(day=1), month_end(month)
    row_level = OrgUnitLevel.TOWN if unit.level == OrgUnitLevel.COUNTY else OrgUnitLevel.VILLAGE
    row_units = list(OrgUnit.objects.filter(path__startswith=unit.path, level=row_level)
                     .order_by("code").values_list("code", "name", "path"))
    village_row: dict[str, str] = {}
    if row_level == OrgUnitLevel.VILLAGE:
        village_row = {code: code for code, _, _ in row_units}
    else:
        for code, path in OrgUnit.objects.filter(
            path__startswith=unit.path, level=OrgUnitLevel.VILLAGE
        ).values_list("code", "path"):
            for town_code, _, town_path in row_units:
                if path.startswith(town_path):
                    village_row[code] = town_code
    types = sorted({s.type for s in SERVICES})
    grouped = (
        Event.objects.filter(date__range=(p1, p2), type__in=types,
                             person__village__path__startswith=unit.path)
        .values_list("person__village_id", "person__residency", "type", "outcome", "condition")
        .annotate(n=Count("id"))
    )
    empty = {s.code: {p: 0 for p in POPULATIONS} for s in SERVICES}
    rows = {code: {"code": code, "name": name, "counts": {k: dict(v) for k, v in empty.items()}}
            for code, name, _ in row_units}
    total = {k: dict(v) for k, v in empty.items()}
    for village, residency, type_, outcome, condition, n in grouped:
        row = rows.get(village_row.get(village, ""))
        population = _population(residency)
        for service in SERVICES:
            if _match(service, type_, outcome, condition):
                if row is not None:
                    row["counts"][service.code][population] += n
                total[service.code][population] += n
    return {"unit": unit.code, "unit_name": unit.name, "month": p1.isoformat(),
            "rows": list(rows.values()), "total": total}


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def reportform_xlsx(data: dict, *, office: str, prepared_by: str = "", reviewed_by: str = "",
                    prepared_on: date | None = None, status_label: str = "") -> bytes:
    """The form in the layout of an official statistical table (merged headers, units)."""
    month = date.fromisoformat(data["month"])
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    width = 2 + 2 * len(SERVICES)
    last = get_column_letter(width)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = f"{data['unit_name']}卫生计生服务月报表"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = CENTER
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"（{month.year}年{month.month}月）"
    ws["A2"].alignment = CENTER
    ws.merge_cells(f"A3:{get_column_letter(width - 4)}3")
    ws["A3"] = f"填报单位：{office}"
    ws.merge_cells(f"{get_column_letter(width - 3)}3:{last}3")
    ws[f"{get_column_letter(width - 3)}3"] = "单位：人次"
    ws[f"{get_column_letter(width - 3)}3"].alignment = Alignment(horizontal="right")
    for col, label in ((1, "序号"), (2, "村（居）" if data["rows"] and len(data["rows"][0]["code"]) > 9
                                    else "乡镇（街道）")):
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        ws.cell(4, col, label)
    for i, service in enumerate(SERVICES):
        col = 3 + 2 * i
        ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + 1)
        ws.cell(4, col, service.label)
        for j, population in enumerate(POPULATIONS):
            ws.cell(5, col + j, POPULATION_LABELS[population])
    row_no = 6
    for n, row in enumerate(data["rows"], start=1):
        ws.cell(row_no, 1, n)
        ws.cell(row_no, 2, row["name"])
        _write_counts(ws, row_no, row["counts"])
        row_no += 1
    ws.cell(row_no, 1, "")
    ws.cell(row_no, 2, "合计")
    _write_counts(ws, row_no, data["total"])
    for cell in ws[row_no]:
        cell.font = Font(bold=True)
    for r in range(4, row_no + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).border = BOX
            ws.cell(r, c).alignment = CENTER
    footer = row_no + 2
    ws.cell(footer, 1, f"填报人：{prepared_by}")
    ws.cell(footer, 8, f"审核人：{reviewed_by}")
    ws.cell(footer, 16, f"填报日期：{prepared_on.isoformat() if prepared_on else ''}")
    if status_label:
        ws.cell(footer, 24, f"状态：{status_label}")
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 16
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 7
    ws.row_dimensions[4].height = 42
    ws.freeze_panes = "C6"
    ws.page_setup.orientation = "landscape"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_counts(ws, row_no: int, counts: dict) -> None:
    for i, service in enumerate(SERVICES):
        for j, population in enumerate(POPULATIONS):
            ws.cell(row_no, 3 + 2 * i + j, counts[service.code][population])
