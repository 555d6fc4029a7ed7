"""The work list as an .xlsx file, ID numbers and phones masked."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from weiji.core.masking import mask_id_number, mask_phone
from weiji.worklists.models import ItemStatus, ServiceItem, TaskStatus
from weiji.worklists.servicemap import service_label

HEADERS = ("村/社区代码", "服务项目", "姓名", "身份证号", "联系电话", "应服务开始", "应服务截止",
           "状态", "任务状态", "责任单位")


def worklist_xlsx(*, items: Iterable[ServiceItem], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "服务名单"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    statuses, task_statuses = dict(ItemStatus.choices), dict(TaskStatus.choices)
    for item in items:
        task = getattr(item, "task", None)
        ws.append([
            item.village_id, service_label(item.service), item.person.name,
            mask_id_number(item.person.id_number), mask_phone(item.person.phone),
            item.due_from.isoformat(), item.due_until.isoformat(),
            statuses.get(item.status, item.status),
            task_statuses.get(task.status, task.status) if task else "",
            item.responsible,
        ])
    for col, width in zip("ABCDEFGHIJ", (14, 22, 10, 22, 14, 12, 12, 8, 8, 14), strict=True):
        ws.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
