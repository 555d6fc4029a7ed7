"""Printable exports of a campaign: the target list (.xlsx, masked IDs) and the report CSV."""

from __future__ import annotations

import io

from weiji.campaigns.acceptance import REPORT_COLUMNS, VillageResult, report_row
from weiji.core.masking import mask_id_number, mask_phone
from weiji.indicators.exchange import csv_text

TARGET_HEADER = ["村/社区代码", "村/社区", "编号", "姓名", "身份证号", "出生日期", "手机号",
                 "查体点", "进站日期", "查访日期", "本人签字"]


def targets_xlsx(*, campaign, targets: list, marks: dict, sites: dict[str, str]) -> bytes:
    """The target list per village, one sheet, ID numbers and phones masked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "服务对象名单"
    sheet.append([f"{campaign.name}（{campaign.start:%Y-%m-%d}至{campaign.end:%Y-%m-%d}）服务对象名单"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(TARGET_HEADER)
    for t in targets:
        p = t.person
        mark = marks.get(p.pk)
        site = sites.get(t.village_id) or sites.get(t.village.parent_id or "", "")
        sheet.append([
            t.village_id, t.village.name, p.local_id, p.name, mask_id_number(p.id_number),
            p.birth_date.isoformat(), mask_phone(p.phone), site,
            mark.attended_on.isoformat() if mark and mark.attended_on else "",
            mark.visited_on.isoformat() if mark and mark.visited_on else "", "",
        ])
    for col, width in zip("ABCDEFGHIJK", (14, 12, 12, 10, 22, 12, 14, 22, 12, 12, 12),
                          strict=True):
        sheet.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def report_csv(results: list[VillageResult]) -> str:
    """The acceptance report exactly as ``weiji campaign-report`` writes it."""
    return csv_text([report_row(r) for r in results], REPORT_COLUMNS)
