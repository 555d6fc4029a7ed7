"""Reading a source's export (CSV or .xlsx) through its column mapping into normal rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from weiji.reconcile.idnumbers import normalize_id

# canonical field → (中文, English, default header aliases)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "record_id": ("记录编号", "record id", ("记录编号", "记录ID", "业务编号", "编号", "流水号")),
    "id_number": ("身份证号", "ID number", ("身份证号", "公民身份号码", "身份证号码", "证件号码")),
    "name": ("姓名", "name", ("姓名", "新生儿姓名")),
    "sex": ("性别", "sex", ("性别",)),
    "birth_date": ("出生日期", "birth date", ("出生日期", "出生时间")),
    "village_code": ("现居住村居代码", "village code", ("村居代码", "现居住地代码", "居住地代码", "村代码")),
    "present": ("是否在本地居住", "lives here", ("是否在本地居住", "是否在住", "在住")),
    "hukou_division": ("户籍地代码", "hukou division", ("户籍地代码", "户籍地区划")),
    "marital_status": ("婚姻状况", "marital status", ("婚姻状况",)),
    "death_date": ("死亡日期", "death date", ("死亡日期",)),
    "mother_id_number": ("母亲身份证号", "mother's ID number", ("母亲身份证号", "母亲身份证号码", "产妇身份证号")),
    "mother_name": ("母亲姓名", "mother's name", ("母亲姓名", "产妇姓名")),
    "outcome": ("妊娠结局", "pregnancy outcome", ("妊娠结局", "分娩结局")),
    "event_date": ("事件日期", "event date", ("事件日期", "登记日期", "分娩日期", "结婚登记日期")),
}
DATE_FIELDS = ("birth_date", "death_date", "event_date")

_SEX = {"1": "1", "男": "1", "m": "1", "male": "1", "2": "2", "女": "2", "f": "2", "female": "2"}
_YES = {"1", "是", "y", "yes", "true", "在", "在住"}
_NO = {"0", "否", "n", "no", "false", "不在", "外出"}
_MARITAL = {"未婚": "10", "已婚": "20", "初婚": "21", "再婚": "22", "复婚": "23", "丧偶": "30", "离婚": "40", "未说明": "90"}
_MARITAL_CODES = {"10", "20", "21", "22", "23", "30", "40", "90"}
_OUTCOME = {"活产": "live_birth", "死产": "stillbirth", "死胎": "stillbirth", "自然流产": "miscarriage", "人工流产": "induced_abortion"}
_OUTCOME_CODES = {"live_birth", "stillbirth", "miscarriage", "induced_abortion"}


class ImportError_(ValueError):
    """The file cannot be read at all (bad format, a mapped column missing)."""


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)  # normalized, with "row" (line number)
    errors: list[dict] = field(default_factory=list)
    read: int = 0


def _error(row: int, column: str, zh: str, en: str) -> dict:
    return {"row": row, "column": column, "reason_zh": zh, "reason_en": en}


def _read_table(path: Path) -> Iterator[tuple[int, list]]:
    """(line number, cells) for each row, the header first (line 1)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ImportError_(f"{path.name}: 无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
        ws = wb.worksheets[0]
        for i, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            yield i, list(cells)
        wb.close()
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportError_(f"{path.name}: 文件编码既不是 UTF-8 也不是 GB18030 / not UTF-8 or GB18030 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        yield reader.line_num, cells


def _cell(value: object) -> object:
    if value.__class__ is str:
        value = value.strip()
        return value.replace("\u3000", "") if "\u3000" in value else value
    return value


def parse_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(text) from None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def resolve_columns(headers: list[str], column_map: dict[str, str], filename: str) -> dict[str, int]:
    """canonical field → column index, from the source's mapping or the default aliases."""
    clean = [str(h or "").strip().replace("\u3000", "") for h in headers]
    lowered = {h.lower(): i for i, h in enumerate(clean) if h}
    out: dict[str, int] = {}
    for fld, (_zh, _en, aliases) in FIELDS.items():
        mapped = (column_map or {}).get(fld, "").strip()
        if mapped:
            if mapped.lower() not in lowered:
                raise ImportError_(
                    f"{filename}: 映射的列“{mapped}”（{FIELDS[fld][0]}）在表头中不存在，请修改来源的列映射 / "
                    f"the mapped column {mapped!r} for {fld} is not in the header; fix the source's column mapping"
                )
            out[fld] = lowered[mapped.lower()]
            continue
        for alias in (fld, *aliases):
            if alias.lower() in lowered:
                out[fld] = lowered[alias.lower()]
                break
    if "name" not in out and "id_number" not in out:
        raise ImportError_(
            f"{filename}: 表头中找不到姓名或身份证号列，请在来源设置中配置列映射 / "
            "neither a name nor an ID-number column was found; set the source's column mapping"
        )
    return out


_EMPTY = {f: None if f in DATE_FIELDS or f == "present" else "" for f in FIELDS}


def normalize_row(values: dict[str, object], line: int, errors: list[dict]) -> dict | None:
    """Normal values for one row, or None (with the reasons in `errors`) when it is rejected.

    Only the fields present in `values` are read; the others stay empty.
    """
    out: dict = {**_EMPTY, "row": line}
    ok = True
    for fld, raw in values.items():
        if fld not in _EMPTY:
            continue
        value = _cell(raw)
        if value is None or value == "":
            continue
        if fld in DATE_FIELDS:
            try:
                out[fld] = parse_date(value)
            except ValueError:
                errors.append(_error(line, fld, f"{FIELDS[fld][0]}“{value}”不是有效日期（应为 YYYY-MM-DD）",
                                     f"{fld} {value!r} is not a date (use YYYY-MM-DD)"))
                ok = False
            continue
        text = "" if value is None else str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if fld == "sex" and text:
            if text.lower() not in _SEX:
                errors.append(_error(line, fld, f"性别“{text}”无法识别（应为 1/2 或 男/女）", f"sex {text!r} is not 1/2 or 男/女"))
                ok = False
            text = _SEX.get(text.lower(), "")
        elif fld == "present":
            out[fld] = True if text.lower() in _YES else False if text.lower() in _NO else None
            continue
        elif fld == "marital_status" and text:
            text = _MARITAL.get(text, text)
            if text not in _MARITAL_CODES:
                errors.append(_error(line, fld, f"婚姻状况“{text}”无法识别（GB/T 2261.2 代码）", f"marital status {text!r} is not a GB/T 2261.2 code"))
                ok = False
        elif fld == "outcome" and text:
            text = _OUTCOME.get(text, text)
            if text not in _OUTCOME_CODES:
                errors.append(_error(line, fld, f"妊娠结局“{text}”无法识别", f"pregnancy outcome {text!r} is unknown"))
                ok = False
        elif fld in ("id_number", "mother_id_number"):
            text = normalize_id(text)
        out[fld] = text
    if not out["record_id"]:
        if not (out["id_number"] or (out["name"] and out["birth_date"]) or (out["mother_id_number"] and out["birth_date"])):
            errors.append(_error(line, "record_id", "缺少记录编号，且没有身份证号或姓名+出生日期可识别此记录",
                                 "no record id, and no ID number or name + birth date to identify the record"))
            return None
        out["record_id"] = out["id_number"] or "h:" + hashlib.blake2s(
            f"{out['name']}|{out['birth_date']}|{out['mother_id_number']}|{out['sex']}".encode(), digest_size=8
        ).hexdigest()
    return out if ok else None


def parse_file(path: Path, column_map: dict[str, str]) -> Parsed:
    result = Parsed()
    table = _read_table(path)
    try:
        _, header = next(table)
    except StopIteration:
        raise ImportError_(f"{path.name}: 文件为空 / the file is empty") from None
    columns = resolve_columns([str(h) if h is not None else "" for h in header], column_map, path.name)
    for line, cells in table:
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue
        result.read += 1
        values = {fld: cells[i] if i < len(cells) else None for fld, i in columns.items()}
        row = normalize_row(values, line, result.errors)
        if row is not None:
            result.rows.append(row)
    return result


def parse_records(items: Iterable[dict]) -> Parsed:
    """Rows pushed through the API: canonical field names, record_id required."""
    result = Parsed()
    for i, item in enumerate(items, start=1):
        result.read += 1
        if not isinstance(item, dict):
            result.errors.append(_error(i, "", "记录必须是 JSON 对象", "a record must be a JSON object"))
            continue
        if not str(item.get("record_id") or "").strip():
            result.errors.append(_error(i, "record_id", "缺少 record_id（来源系统自己的记录编号）",
                                        "record_id (the source system's own id) is required"))
            continue
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            result.errors.append(_error(i, unknown[0], f"未知字段 {', '.join(unknown)}", f"unknown field(s) {', '.join(unknown)}"))
            continue
        row = normalize_row(item, i, result.errors)
        if row is not None:
            result.rows.append(row)
    return result
