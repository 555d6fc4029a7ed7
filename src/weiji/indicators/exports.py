"""Spreadsheet exports of indicator rows (the monthly report form lives in reportforms.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from weiji.indicators.output import COLUMNS, IndicatorRow


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
