"""Writing discrepancy lists as CSV files and one .xlsx workbook (a sheet per list).

The workbook is written directly as SpreadsheetML (inline strings, no styles): for the
tens of thousands of rows a district-wide comparison produces this is several times faster
than openpyxl, and any spreadsheet program (and openpyxl) reads it.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from weiji.reconcile.models import Kind
from weiji.reconcile.selectors import EXPORT_COLUMNS

SHEET_NAMES = {
    Kind.UNLINKED: "源有库无", Kind.LINK_REVIEW: "待确认匹配", Kind.MISSING: "库有源无",
    Kind.CONFLICT: "信息不一致", Kind.DUPLICATE: "疑似重复", Kind.ABSENT: "户在人不在",
    Kind.PRESENT: "人在户不在", Kind.UNMANAGED: "空管",
}

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# characters XML 1.0 does not allow
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _sheet_xml(rows: list[list]) -> str:
    cols = [_column(i) for i in range(max((len(r) for r in rows), default=0))]
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}><sheetData>']
    for n, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{cols[i]}{n}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v).translate(_CONTROL))}</t></is></c>'
            for i, v in enumerate(row) if v not in (None, "")
        )
        parts.append(f'<row r="{n}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def xlsx_write(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """A workbook with one sheet per (name, rows); every cell is text."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name[:31])}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _rows) in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for i, (_name, rows) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(rows))


def lists_write(rows: dict[str, list[list]], out_dir: Path, *, stem: str) -> list[Path]:
    """<stem>-<kind>.csv for each list and <stem>.xlsx with all of them; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    header = [zh for _key, zh in EXPORT_COLUMNS]
    written = []
    sheets = []
    for kind in Kind.values:
        path = out_dir / f"{stem}-{kind}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows.get(kind, []))
        written.append(path)
        sheets.append((SHEET_NAMES[kind], [header, *rows.get(kind, [])]))
    xlsx = out_dir / f"{stem}.xlsx"
    xlsx_write(xlsx, sheets)
    written.append(xlsx)
    return written
