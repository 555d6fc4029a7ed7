"""Writing discrepancy lists as CSV files and one .xlsx workbook (a sheet per list)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from weiji.reconcile.models import Kind
from weiji.reconcile.selectors import EXPORT_COLUMNS

_SHEET = {
    Kind.UNLINKED: "源有库无", Kind.LINK_REVIEW: "待确认匹配", Kind.MISSING: "库有源无",
    Kind.CONFLICT: "信息不一致", Kind.DUPLICATE: "疑似重复", Kind.ABSENT: "户在人不在",
    Kind.PRESENT: "人在户不在", Kind.UNMANAGED: "空管",
}


def lists_write(rows: dict[str, list[list]], out_dir: Path, *, stem: str) -> list[Path]:
    """<stem>-<kind>.csv for each list and <stem>.xlsx with all of them; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    header = [zh for _key, zh in EXPORT_COLUMNS]
    written = []
    wb = Workbook(write_only=True)
    for kind in Kind.values:
        path = out_dir / f"{stem}-{kind}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows.get(kind, []))
        written.append(path)
        ws = wb.create_sheet(_SHEET[kind])
        ws.append(header)
        for row in rows.get(kind, []):
            ws.append(row)
    xlsx = out_dir / f"{stem}.xlsx"
    wb.save(xlsx)
    written.append(xlsx)
    return written
