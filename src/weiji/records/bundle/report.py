"""What a bundle load did: per file rows read, loaded and rejected, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# Reason codes of a rejected row, with their Chinese and English wording.
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填值", "missing required value"),
    "bad_date": ("日期无法解析", "unparseable date"),
    "bad_enum": ("未知的类型或枚举值", "unknown type/enum value"),
    "unknown_ref": ("引用的代码不存在", "unknown code it refers to"),
    "before_birth": ("事件日期早于本人出生日期", "event before the person's birth"),
}

# What to do about each reason (shown with the error, not part of the JSON report).
HINTS: dict[str, tuple[str, str]] = {
    "missing": ("请填写该列", "fill in this column"),
    "bad_date": ("日期请写成YYYY-MM-DD，例如2026-05-06", "write the date as YYYY-MM-DD, e.g. 2026-05-06"),
    "bad_enum": ("请使用数据包格式中列出的取值", "use one of the values listed in the bundle format"),
    "unknown_ref": (
        "被引用的记录不存在、被拒绝或类型不符，请先补全该记录",
        "the referenced record is missing, was rejected or has the wrong kind; add or fix it first",
    ),
    "before_birth": ("请核对事件日期和出生日期", "check the event date and the birth date"),
}

TABLES = ("orgunits", "facilities", "persons", "events")


class BundleError(Exception):
    """The load could not run (unreadable bundle or file). The message is zh / en."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    reason: str
    value: str = ""

    @property
    def reason_zh(self) -> str:
        return REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return REASONS[self.reason][1]

    @property
    def hint(self) -> str:
        zh, en = HINTS[self.reason]
        return f"{zh} / {en}"

    def to_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }

    def describe(self) -> str:
        value = f" = {self.value!r}" if self.value else ""
        return (
            f"第{self.row}行 row {self.row}, {self.column}{value}: "
            f"{self.reason_zh} / {self.reason_en} — {self.hint}"
        )


@dataclass
class FileReport:
    name: str  # "persons.csv" (also for a sheet of an .xlsx workbook)
    read: int = 0
    loaded: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def to_dict(self) -> dict:
        result = {
            "read": self.read,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "errors": [e.to_dict() for e in sorted(self.errors, key=lambda e: e.row)],
        }
        if self.warnings:
            result["warnings"] = list(self.warnings)
        return result

    def summary(self) -> str:
        return f"{self.name}: read {self.read}, loaded {self.loaded}, rejected {self.rejected}"


@dataclass
class LoadReport:
    source: str
    files: dict[str, FileReport] = field(default_factory=dict)
    invalid_id_numbers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files.values())

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files.values())

    def to_dict(self) -> dict:
        return {
            "files": {name: f.to_dict() for name, f in self.files.items()},
            "invalid_id_numbers": sorted(self.invalid_id_numbers),
        }

    def write_json(self, path: Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    def summary_lines(self) -> list[str]:
        return [f.summary() for f in self.files.values()]


def report_errors_xlsx(report: LoadReport, path: Path) -> Path:
    """Write every rejected row of a load (file, row, column, value, reason, what to do)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("errors")
    sheet.append(["文件 file", "行 row", "列 column", "值 value", "原因代码 reason",
                  "原因 reason (zh)", "reason (en)", "处理办法 what to do"])
    for name, file_report in report.files.items():
        for error in sorted(file_report.errors, key=lambda e: e.row):
            sheet.append([name, error.row, error.column, error.value, error.reason,
                          error.reason_zh, error.reason_en, error.hint])
    summary = workbook.create_sheet("summary")
    summary.append(["文件 file", "读取 read", "导入 loaded", "拒绝 rejected"])
    for name, file_report in report.files.items():
        summary.append([name, file_report.read, file_report.loaded, file_report.rejected])
    workbook.save(path)
    return Path(path)
