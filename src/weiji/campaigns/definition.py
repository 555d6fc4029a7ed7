"""Campaign definitions (``campaign-spring.yaml``) parsed into a frozen value (pure).

The YAML holds ``code``, ``name``, ``start``, ``end``, ``target`` (``rule`` plus the rule's
parameters), ``thresholds`` per class (``rural``/``urban``: ``attendance``, ``visit``) and,
optionally, ``sites`` (zone or village code → checkup facility code), ``services`` (codes of
the services offered), ``scope`` (unit codes whose villages take part; all when absent) and
``reminders.days_before_end`` (the second appointment reminder goes out this many days
before the end to targets who have still not come; default 3, 0 = no second reminder).
Errors name the file and the field and say what to do, in Chinese and English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from weiji.campaigns.target_rules import TARGET_RULES

CLASSES = ("rural", "urban")
DEFAULT_REMINDER_DAYS_BEFORE_END = 3
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Loader(yaml.SafeLoader):
    """Safe YAML where dates stay text, so a bad date is reported with its field name."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class DefinitionError(ValueError):
    """A campaign definition that cannot be used; the message is bilingual."""


@dataclass(frozen=True, slots=True)
class Threshold:
    attendance: Decimal
    visit: Decimal

    @property
    def attendance_fraction(self) -> Fraction:
        return Fraction(self.attendance)

    @property
    def visit_fraction(self) -> Fraction:
        return Fraction(self.visit)


@dataclass(frozen=True, slots=True)
class CampaignDefinition:
    code: str
    name: str
    start: date
    end: date
    target_rule: str
    target_params: Mapping[str, Any]
    thresholds: Mapping[str, Threshold]
    sites: Mapping[str, str] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    reminder_days_before_end: int = DEFAULT_REMINDER_DAYS_BEFORE_END

    def threshold_for(self, urban_rural: str) -> Threshold:
        return self.thresholds[urban_rural]


def _err(source: str, field_name: str, zh: str, en: str) -> DefinitionError:
    return DefinitionError(f"{source}: {field_name}: {zh} / {en}")


def _date(source: str, name: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        text = str(value).strip()
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise _err(source, name, f"日期应为 YYYY-MM-DD，现为 {value!r}",
                   f"expected a date YYYY-MM-DD, got {value!r}") from None


def _rate(source: str, name: str, value: Any) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _err(source, name, f"应为0到1之间的小数，现为 {value!r}",
                   f"expected a number between 0 and 1, got {value!r}") from None
    if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(1):
        raise _err(source, name, f"应为0到1之间的小数，现为 {value!r}",
                   f"expected a number between 0 and 1, got {value!r}")
    return rate


def _param(source: str, name: str, kind: str, value: Any) -> Any:
    if kind == "date":
        return _date(source, name, value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _err(source, name, f"应为整数，现为 {value!r}",
                   f"expected an integer, got {value!r}") from None


def definition_from_mapping(data: Any, *, source: str = "campaign") -> CampaignDefinition:
    """Validate a parsed YAML mapping and return the definition."""
    if not isinstance(data, Mapping):
        raise _err(source, "(file)", "文件内容应为键值映射（YAML mapping）",
                   "the file must hold a YAML mapping")
    for key in ("code", "name", "start", "end", "target", "thresholds"):
        if data.get(key) in (None, ""):
            raise _err(source, key, "缺少必填项，请补充", "required field is missing; add it")
    code = str(data["code"]).strip()
    start = _date(source, "start", data["start"])
    end = _date(source, "end", data["end"])
    if end < start:
        raise _err(source, "end", "结束日期早于开始日期", "end is before start")
    target = data["target"]
    if not isinstance(target, Mapping) or not target.get("rule"):
        raise _err(source, "target.rule", "缺少对象规则", "the target rule is missing")
    rule_code = str(target["rule"]).strip()
    rule = TARGET_RULES.get(rule_code)
    if rule is None:
        raise _err(source, "target.rule", f"未知的对象规则 {rule_code!r}，可用：{', '.join(TARGET_RULES)}",
                   f"unknown target rule {rule_code!r}; known: {', '.join(TARGET_RULES)}")
    params: dict[str, Any] = {}
    for p in rule.params:
        if target.get(p.name) in (None, ""):
            if p.required:
                raise _err(source, f"target.{p.name}", f"规则 {rule_code} 需要参数（{p.label_zh}）",
                           f"rule {rule_code} needs this parameter")
            continue
        params[p.name] = _param(source, f"target.{p.name}", p.kind, target[p.name])
    thresholds_in = data["thresholds"]
    if not isinstance(thresholds_in, Mapping):
        raise _err(source, "thresholds", "应为 rural/urban 映射", "expected a rural/urban mapping")
    thresholds = {}
    for cls in CLASSES:
        entry = thresholds_in.get(cls)
        if not isinstance(entry, Mapping):
            raise _err(source, f"thresholds.{cls}", "缺少该类别的验收标准",
                       "the thresholds of this class are missing")
        for key in ("attendance", "visit"):
            if entry.get(key) is None:
                raise _err(source, f"thresholds.{cls}.{key}", "缺少必填项", "required field is missing")
        thresholds[cls] = Threshold(
            attendance=_rate(source, f"thresholds.{cls}.attendance", entry["attendance"]),
            visit=_rate(source, f"thresholds.{cls}.visit", entry["visit"]),
        )
    sites_in = data.get("sites") or {}
    if not isinstance(sites_in, Mapping):
        raise _err(source, "sites", "应为 管区/村代码 → 机构代码 的映射",
                   "expected a mapping of zone/village code to facility code")
    sites = {str(k).strip(): str(v).strip() for k, v in sites_in.items()}
    services = data.get("services") or []
    scope = data.get("scope") or []
    if not isinstance(services, list) or not isinstance(scope, list):
        raise _err(source, "services/scope", "应为列表", "expected a list")
    reminders = data.get("reminders") or {}
    if not isinstance(reminders, Mapping):
        raise _err(source, "reminders", "应为映射，如 days_before_end: 3",
                   "expected a mapping such as days_before_end: 3")
    days_before_end = DEFAULT_REMINDER_DAYS_BEFORE_END
    if reminders.get("days_before_end") not in (None, ""):
        days_before_end = _param(source, "reminders.days_before_end", "int",
                                 reminders["days_before_end"])
        if not 0 <= days_before_end <= 60:
            raise _err(source, "reminders.days_before_end", f"应为0到60之间的整数，现为 {days_before_end}",
                       f"expected an integer from 0 to 60, got {days_before_end}")
    return CampaignDefinition(
        code=code,
        name=str(data["name"]).strip(),
        start=start,
        end=end,
        target_rule=rule_code,
        target_params=params,
        thresholds=thresholds,
        sites=sites,
        services=tuple(str(s).strip() for s in services),
        scope=tuple(str(s).strip() for s in scope),
        reminder_days_before_end=days_before_end,
    )


def definition_from_yaml(text: str, *, source: str = "campaign") -> CampaignDefinition:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise _err(source, "(file)", f"YAML 格式错误：{exc}", f"not valid YAML: {exc}") from None
    return definition_from_mapping(data, source=source)


def definition_load(path: str | Path) -> CampaignDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _err(str(path), "(file)", f"无法读取文件：{exc.strerror}",
                   f"cannot read the file: {exc.strerror}") from None
    return definition_from_yaml(text, source=str(path))
