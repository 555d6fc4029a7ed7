"""Reading the tables of a bundle: a folder of CSV files or one .xlsx workbook.

Both give, per table, the header and a stream of ``(row_number, cells)`` where
``row_number`` is the physical line the record starts on (header = line 1; the sheet row
in a workbook) and ``cells`` are already trimmed of surrounding Unicode whitespace
(tabs, U+3000 …). Empty lines are skipped; nothing is held in memory beyond one row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path

from weiji.records.bundle.report import TABLES, BundleError

csv.field_size_limit(16 * 1024 * 1024)


def _clean_header(cells: list[str]) -> list[str]:
    return [c.replace("\ufeff", "").strip() for c in cells]


@dataclass(frozen=True)
class TableSource:
    """One table of a bundle (a CSV file or a workbook sheet)."""

    table: str  # orgunits | facilities | persons | events
    path: Path
    sheet: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.table}.csv"

    def describe(self) -> str:
        if self.sheet is not None:
            return f"{self.path.name} [{self.sheet}]"
        return str(self.path)

    def open_rows(self, columns: tuple[str, ...]) -> TableRows:
        return TableRows(self, columns)


class TableRows:
    """Iterates a table's records as tuples of the wanted columns (missing columns → "")."""

    def __init__(self, source: TableSource, columns: tuple[str, ...]):
        self.source = source
        self.columns = columns
        self.header: list[str] = []
        self.missing_columns: list[str] = []

    def _indexes(self, header: list[str]) -> list[int]:
        self.header = header
        position = {}
        for i, name in enumerate(header):
            position.setdefault(name, i)
        self.missing_columns = [c for c in self.columns if c not in position]
        return [position.get(c, -1) for c in self.columns]

    def __iter__(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        if self.source.sheet is None:
            return self._iter_csv()
        return self._iter_sheet()

    def _iter_csv(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        path = self.source.path
        try:
            handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as exc:
            raise BundleError(f"无法打开文件 {path}：{exc} / cannot open {path}: {exc}") from exc
        with handle:
            reader = csv.reader(handle)
            indexes: list[int] | None = None
            last_line = 0
            try:
                for cells in reader:
                    start = last_line + 1
                    last_line = reader.line_num
                    if not cells:
                        continue
                    if indexes is None:
                        header = _clean_header(cells)
                        if not any(header):
                            continue
                        indexes = self._indexes(header)
                        width = len(header)
                        getter = itemgetter(*indexes)
                        continue
                    cells.append("")  # index -1: the value of a column the header lacks
                    if len(cells) <= width:
                        cells.extend([""] * (width + 1 - len(cells)))
                    values = tuple(map(str.strip, getter(cells)))
                    if not any(values) and not any(map(str.strip, cells)):
                        continue
                    yield start, values
            except UnicodeDecodeError as exc:
                raise BundleError(
                    f"{path} 第{last_line + 1}行附近不是UTF-8编码，请另存为UTF-8 CSV / "
                    f"{path} is not UTF-8 near line {last_line + 1}; save it as UTF-8 CSV"
                ) from exc
            except csv.Error as exc:
                raise BundleError(
                    f"{path} 第{last_line + 1}行无法按CSV读取（{exc}）/ "
                    f"{path} cannot be read as CSV near line {last_line + 1} ({exc})"
                ) from exc

    def _iter_sheet(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        workbook = _open_workbook(self.source.path)
        try:
            sheet = workbook[self.source.sheet]
            sheet.reset_dimensions()
            indexes: list[int] | None = None
            for row_number, raw in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
                cells = [_cell_text(v) for v in raw]
                if not any(cells):
                    continue
                if indexes is None:
                    indexes = self._indexes(_clean_header(cells))
                    continue
                n = len(cells)
                yield row_number, tuple(cells[i] if 0 <= i < n else "" for i in indexes)
        finally:
            workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise BundleError(
            f"无法读取Excel文件 {path}：{exc} / cannot read the workbook {path}: {exc}"
        ) from exc


def bundle_tables(source: Path) -> list[TableSource]:
    """The tables found in a bundle folder or workbook, in load order."""
    source = Path(source)
    if not source.exists():
        raise BundleError(f"数据包不存在：{source} / the bundle does not exist: {source}")
    if source.is_dir():
        found = []
        names = {p.name: p for p in source.iterdir() if p.is_file()}
        for table in TABLES:
            path = names.get(f"{table}.csv")
            if path is None:  # tolerate ORGUNITS.CSV and the like
                path = next(
                    (p for n, p in names.items() if n.lower() == f"{table}.csv"), None
                )
            if path is not None:
                found.append(TableSource(table, path))
        if not found:
            wanted = "、".join(f"{t}.csv" for t in TABLES)
            raise BundleError(
                f"{source} 中没有数据包文件（应有 {wanted}）/ "
                f"{source} holds no bundle file (expected {', '.join(f'{t}.csv' for t in TABLES)})"
            )
        return found
    if source.suffix.lower() in {".xlsx", ".xlsm"}:
        workbook = _open_workbook(source)
        try:
            sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        finally:
            workbook.close()
        found = [TableSource(t, source, sheets[t]) for t in TABLES if t in sheets]
        if not found:
            raise BundleError(
                f"{source} 中没有名为 {'、'.join(TABLES)} 的工作表 / "
                f"{source} has no sheet named {', '.join(TABLES)}"
            )
        return found
    if source.suffix.lower() == ".csv":
        raise BundleError(
            f"{source} 是单个CSV文件；请给出包含各CSV文件的文件夹 / "
            f"{source} is a single CSV file; give the folder that holds the bundle's CSV files"
        )
    raise BundleError(
        f"无法识别的数据包：{source}（应为文件夹或.xlsx）/ "
        f"unrecognised bundle {source} (a folder or an .xlsx workbook)"
    )
