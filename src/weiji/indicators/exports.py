"""Spreadsheet exports of indicator rows (the monthly report form lives in reportforms.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from weiji.indicators.output import COLUMNS, IndicatorRow, quantize


def indicators_xlsx(rows: Iterable[IndicatorRow], names: Mapping[str, str]) -> bytes:
    """The spec's columns, one row each, plus the indicator's Chinese name in a last column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "indicators"
    ws.append([*COLUMNS, "name_zh"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([
            row.period_start, row.period_end, row.unit_code, row.population, row.indicator,
            row.numerator, row.denominator,
            None if row.value is None else float(row.value),
            None if row.target is None else float(row.target),
            None if row.meets_target is None else ("true" if row.meets_target else "false"),
            names.get(row.indicator, ""),
        ])
    for col in ("A", "B"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bulletin_xlsx(*, title: str, subtitle: str, scores, items: list[dict], kind_label: str) -> bytes:
    """The 通报: ranking with each item's score, and the breakdown explained row by row."""
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    width = 4 + len(items)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1, title).font = Font(bold=True, size=15)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(2, 1, subtitle).alignment = Alignment(horizontal="center")
    header = ["名次", kind_label, "代码", "总分"] + [
        f"{i.get('label') or i['code']}（{i['weight']}分）" for i in items
    ]
    ws.append([])
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for s in scores:
        ws.append([s.rank, s.worker or s.name, s.code, s.total_text] + [
            "不适用" if i.score is None else float(quantize(i.score)) for i in s.items
        ])
    for row in ws.iter_rows(min_row=4, max_row=ws.max_row):
        for cell in row:
            cell.border = box
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 15
    for c in range(5, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ranked = [s for s in scores if s.rank is not None]
    note = ws.max_row + 2
    if ranked:
        ws.cell(note, 1, "表扬：" + "、".join(s.worker or s.name for s in ranked[:3]))
        ws.cell(note + 1, 1, "通报批评（末三位）：" + "、".join(
            s.worker or s.name for s in ranked[-3:][::-1]))
    detail = wb.create_sheet("得分说明")
    detail.append(["名次", kind_label, "代码", "考核项", "说明"])
    for s in scores:
        for i in s.items:
            detail.append([s.rank, s.worker or s.name, s.code, i.label, i.explain()])
    detail.column_dimensions["E"].width = 70
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
