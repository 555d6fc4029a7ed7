"""The service catalogue (服务目录) as data: versioned, editable parameters of every rule.

``default_catalogue()`` is service-catalogue.md version 1. A district administrator may
change parameters (windows, thresholds, the child checkup targets, the immunization
schedule, which services are on); ``Catalogue.from_dict`` validates such an edit and says,
in Chinese and English, which parameter is wrong and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from weiji.rules.dates import add_days, add_months, add_years
from weiji.rules.facts import ScheduleDose
from weiji.rules.schedule import Schedule, default_schedule

RESPONSIBLE_KINDS = ("facility", "village", "town")
TARGET_UNITS = ("days", "months", "years")
CHRONIC_CONDITIONS = ("hypertension", "diabetes")


class CatalogueError(ValueError):
    """An edited catalogue that cannot be used; the message names the parameter (zh + en)."""

    def __init__(self, where: str, zh: str, en: str):
        self.where = where
        super().__init__(f"服务目录参数 {where}：{zh} / catalogue parameter {where}: {en}")


# Every service, its default responsible party and its integer parameters (days unless
# the name says months/years). Order = the order of service-catalogue.md.
DEFAULT_SERVICES: dict[str, tuple[str, dict[str, int]]] = {
    "preconception_checkup": ("facility", {
        "marriage_within_days": 365, "window_days": 180, "expires_days": 365,
    }),
    "folic_acid": ("village", {
        "marriage_within_days": 365, "max_gestational_age_days": 91, "supply_days": 90,
    }),
    "early_pregnancy_registration": ("facility", {"window_days": 90}),
    "anc_2": ("facility", {"start_days": 112, "end_days": 146, "expires_days": 147}),
    "anc_3": ("facility", {"start_days": 147, "end_days": 174, "expires_days": 196}),
    "anc_4": ("facility", {"start_days": 196, "end_days": 258, "expires_days": 259}),
    # anc_5 expires when the pregnancy stops being current: expires_days 0 = no date.
    "anc_5": ("facility", {"start_days": 259, "end_days": 286, "expires_days": 0}),
    "postpartum_visit": ("facility", {"window_days": 7, "done_days": 28, "expires_days": 28}),
    "postpartum_42d": ("facility", {
        "start_days": 42, "end_days": 56, "done_from_days": 28, "done_to_days": 90,
        "expires_days": 90,
    }),
    "newborn_visit": ("facility", {"window_days": 7, "done_days": 28, "expires_days": 28}),
    "child_checkup": ("facility", {"done_before_days": 15, "last_expires_days": 90}),
    "vaccine": ("facility", {"window_days": 30, "max_age_years": 7}),
    "pregnancy_followup_lost": ("town", {"listed_days": 365}),
    "contraception_service": ("village", {
        "recent_outcome_days": 42, "short_acting_days": 90, "min_children": 1,
    }),
    "elderly_checkup": ("facility", {"min_age_years": 65, "migrant_months": 6}),
    "chronic_followup": ("facility", {}),
}

# Terms shared by the rules (service-catalogue.md "Terms").
DEFAULT_TERMS: dict[str, int] = {
    "reproductive_age_min": 15,
    "reproductive_age_max": 49,
    "pregnancy_max_days": 308,
    "gestation_days": 280,
    "lost_after_edd_days": 30,
    "default_discharge_days": 3,
}

# (service, unit, amount, span): t = birth + amount unit; window [t, t + span].
DEFAULT_CHILD_CHECKUPS: tuple[tuple[str, str, int, int], ...] = (
    ("child_checkup_1m", "days", 28, 14),
    ("child_checkup_3m", "months", 3, 30),
    ("child_checkup_6m", "months", 6, 30),
    ("child_checkup_8m", "months", 8, 30),
    ("child_checkup_12m", "months", 12, 30),
    ("child_checkup_18m", "months", 18, 60),
    ("child_checkup_24m", "months", 24, 60),
    ("child_checkup_30m", "months", 30, 60),
    ("child_checkup_36m", "months", 36, 60),
    ("child_checkup_4y", "years", 4, 90),
    ("child_checkup_5y", "years", 5, 90),
    ("child_checkup_6y", "years", 6, 90),
)


@dataclass(frozen=True)
class ServiceConfig:
    enabled: bool
    responsible: str  # facility | village | town
    params: Mapping[str, int]

    def __getitem__(self, name: str) -> int:
        return self.params[name]


@dataclass(frozen=True)
class CheckupTarget:
    service: str
    unit: str  # days | months | years
    amount: int
    span: int


@dataclass(frozen=True)
class Catalogue:
    version: int
    services: Mapping[str, ServiceConfig]
    terms: Mapping[str, int]
    child_checkups: tuple[CheckupTarget, ...]
    chronic_conditions: tuple[str, ...]
    schedule: Schedule = field(default_factory=default_schedule)

    def service(self, name: str) -> ServiceConfig:
        return self.services[name]

    def enabled(self, name: str) -> bool:
        return self.services[name].enabled

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "services": {
                name: {"enabled": cfg.enabled, "responsible": cfg.responsible, **dict(cfg.params)}
                for name, cfg in self.services.items()
            },
            "terms": dict(self.terms),
            "child_checkups": [
                {"service": t.service, "unit": t.unit, "amount": t.amount, "span": t.span}
                for t in self.child_checkups
            ],
            "chronic_conditions": list(self.chronic_conditions),
            "schedule": [
                {
                    "schedule": d.schedule, "effective_from": d.effective_from.isoformat(),
                    "vaccine": d.vaccine, "name_zh": d.name_zh, "dose": d.dose,
                    "age_months": d.age_months, "min_interval_days": d.min_interval_days,
                    "max_age_months": d.max_age_months,
                }
                for d in self.schedule.doses
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalogue:
        """Validate and build; missing parts take the default values."""
        if not isinstance(data, Mapping):
            raise CatalogueError("(root)", "应为对象", "must be an object")
        unknown = set(data) - {
            "version", "services", "terms", "child_checkups", "chronic_conditions", "schedule"
        }
        if unknown:
            key = sorted(unknown)[0]
            raise CatalogueError(key, "未知参数", "unknown parameter")
        version = _int(data.get("version", 1), "version", minimum=1)
        services = _services(data.get("services", {}))
        terms = _terms(data.get("terms", {}))
        checkups = _checkups(data.get("child_checkups"))
        conditions = _conditions(data.get("chronic_conditions"))
        schedule = _schedule(data.get("schedule"))
        return cls(
            version=version, services=services, terms=terms, child_checkups=checkups,
            chronic_conditions=conditions, schedule=schedule,
        )


def _int(value: Any, where: str, *, minimum: int = 0, maximum: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise CatalogueError(where, f"应为整数，实为 {value!r}", f"must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise CatalogueError(
            where, f"应在 {minimum}–{maximum} 之间，实为 {value}",
            f"must be between {minimum} and {maximum}, got {value}",
        )
    return value


def _services(raw: Any) -> Mapping[str, ServiceConfig]:
    if not isinstance(raw, Mapping):
        raise CatalogueError("services", "应为对象", "must be an object")
    for name in raw:
        if name not in DEFAULT_SERVICES:
            raise CatalogueError(
                f"services.{name}", "未知服务", f"unknown service (known: {', '.join(DEFAULT_SERVICES)})"
            )
    out: dict[str, ServiceConfig] = {}
    for name, (responsible, defaults) in DEFAULT_SERVICES.items():
        given = raw.get(name, {})
        if not isinstance(given, Mapping):
            raise CatalogueError(f"services.{name}", "应为对象", "must be an object")
        for key in given:
            if key not in defaults and key not in ("enabled", "responsible"):
                raise CatalogueError(
                    f"services.{name}.{key}", "未知参数",
                    f"unknown parameter (known: enabled, responsible, {', '.join(defaults)})",
                )
        enabled = given.get("enabled", True)
        if not isinstance(enabled, bool):
            raise CatalogueError(f"services.{name}.enabled", "应为 true 或 false", "must be true or false")
        resp = given.get("responsible", responsible)
        if resp not in RESPONSIBLE_KINDS:
            raise CatalogueError(
                f"services.{name}.responsible", f"应为 {'/'.join(RESPONSIBLE_KINDS)}",
                f"must be one of {', '.join(RESPONSIBLE_KINDS)}, got {resp!r}",
            )
        params = {
            key: _int(given.get(key, default), f"services.{name}.{key}")
            for key, default in defaults.items()
        }
        _check_service(name, params)
        out[name] = ServiceConfig(enabled, resp, MappingProxyType(params))
    return MappingProxyType(out)


def _check_service(name: str, p: dict[str, int]) -> None:
    def need(cond: bool, key: str, zh: str, en: str) -> None:
        if not cond:
            raise CatalogueError(f"services.{name}.{key}", zh, en)

    if "start_days" in p:
        need(p["start_days"] <= p["end_days"], "end_days", "窗口结束不能早于开始",
             "the window cannot end before it starts")
        if p.get("expires_days", 0):
            need(p["expires_days"] > p["start_days"], "expires_days", "失效日须晚于窗口开始",
                 "the expiry must come after the window starts")
    if "done_from_days" in p:
        need(p["done_from_days"] <= p["done_to_days"], "done_to_days",
             "完成区间结束不能早于开始", "the done range cannot end before it starts")
    for key in ("supply_days", "max_age_years", "min_age_years"):
        if key in p:
            need(p[key] >= 1, key, "应至少为 1", "must be at least 1")


def _terms(raw: Any) -> Mapping[str, int]:
    if not isinstance(raw, Mapping):
        raise CatalogueError("terms", "应为对象", "must be an object")
    for key in raw:
        if key not in DEFAULT_TERMS:
            raise CatalogueError(f"terms.{key}", "未知参数", f"unknown parameter (known: {', '.join(DEFAULT_TERMS)})")
    terms = {key: _int(raw.get(key, default), f"terms.{key}") for key, default in DEFAULT_TERMS.items()}
    if terms["reproductive_age_min"] > terms["reproductive_age_max"]:
        raise CatalogueError("terms.reproductive_age_max", "不能小于下限", "cannot be below the minimum age")
    if terms["gestation_days"] < 1:
        raise CatalogueError("terms.gestation_days", "应至少为 1", "must be at least 1")
    return MappingProxyType(terms)


def _checkups(raw: Any) -> tuple[CheckupTarget, ...]:
    if raw is None:
        return tuple(CheckupTarget(*row) for row in DEFAULT_CHILD_CHECKUPS)
    if not isinstance(raw, list) or not raw:
        raise CatalogueError("child_checkups", "应为非空列表", "must be a non-empty list")
    targets = []
    for i, row in enumerate(raw):
        where = f"child_checkups.{i}"
        if not isinstance(row, Mapping):
            raise CatalogueError(where, "应为对象", "must be an object")
        service = row.get("service")
        if not isinstance(service, str) or not service.startswith("child_checkup_"):
            raise CatalogueError(f"{where}.service", "应以 child_checkup_ 开头",
                                 "must start with child_checkup_")
        unit = row.get("unit")
        if unit not in TARGET_UNITS:
            raise CatalogueError(f"{where}.unit", f"应为 {'/'.join(TARGET_UNITS)}",
                                 f"must be one of {', '.join(TARGET_UNITS)}")
        targets.append(CheckupTarget(
            service, unit, _int(row.get("amount"), f"{where}.amount"),
            _int(row.get("span"), f"{where}.span"),
        ))
    if len({t.service for t in targets}) != len(targets):
        raise CatalogueError("child_checkups", "服务代码重复", "service codes repeat")
    probe = date(2000, 1, 31)
    starts = [target_date(probe, t) for t in targets]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        raise CatalogueError("child_checkups", "目标日期须按年龄递增", "targets must be in increasing age order")
    return tuple(targets)


def _conditions(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return CHRONIC_CONDITIONS
    if not isinstance(raw, list) or any(c not in CHRONIC_CONDITIONS for c in raw):
        raise CatalogueError("chronic_conditions", f"应为 {'/'.join(CHRONIC_CONDITIONS)} 的列表",
                             f"must be a list of {', '.join(CHRONIC_CONDITIONS)}")
    return tuple(dict.fromkeys(raw))


def _schedule(raw: Any) -> Schedule:
    if raw is None:
        return default_schedule()
    if not isinstance(raw, list) or not raw:
        raise CatalogueError("schedule", "应为非空列表", "must be a non-empty list")
    doses = []
    for i, row in enumerate(raw):
        where = f"schedule.{i}"
        if not isinstance(row, Mapping):
            raise CatalogueError(where, "应为对象", "must be an object")
        try:
            effective = date.fromisoformat(str(row.get("effective_from", "")))
        except ValueError:
            raise CatalogueError(f"{where}.effective_from", "应为 YYYY-MM-DD 日期",
                                 "must be a YYYY-MM-DD date") from None
        for key in ("schedule", "vaccine"):
            if not isinstance(row.get(key), str) or not row[key]:
                raise CatalogueError(f"{where}.{key}", "不能为空", "must not be empty")
        doses.append(ScheduleDose(
            schedule=row["schedule"], effective_from=effective, vaccine=row["vaccine"],
            name_zh=str(row.get("name_zh", "")), dose=_int(row.get("dose"), f"{where}.dose", minimum=1),
            age_months=_int(row.get("age_months"), f"{where}.age_months"),
            min_interval_days=_int(row.get("min_interval_days"), f"{where}.min_interval_days"),
            max_age_months=_int(row.get("max_age_months"), f"{where}.max_age_months"),
        ))
    seen: dict[tuple[str, str, int], int] = {}
    versions: dict[str, date] = {}
    for i, d in enumerate(doses):
        key = (d.schedule, d.vaccine, d.dose)
        if key in seen:
            raise CatalogueError(f"schedule.{i}", f"与第 {seen[key]} 行重复（同一版本、疫苗、剂次）",
                                 f"repeats row {seen[key]} (same version, vaccine and dose)")
        seen[key] = i
        if versions.setdefault(d.schedule, d.effective_from) != d.effective_from:
            raise CatalogueError(f"schedule.{i}.effective_from", "同一版本的生效日期须相同",
                                 "all rows of one version must share effective_from")
    for i, d in enumerate(doses):
        if d.dose > 1 and (d.schedule, d.vaccine, d.dose - 1) not in seen:
            raise CatalogueError(f"schedule.{i}.dose", f"缺少第 {d.dose - 1} 剂",
                                 f"dose {d.dose - 1} of this vaccine is missing")
    return Schedule(tuple(doses))


def target_date(birth: date, target: CheckupTarget) -> date:
    if target.unit == "days":
        return add_days(birth, target.amount)
    if target.unit == "months":
        return add_months(birth, target.amount)
    return add_years(birth, target.amount)


@cache
def default_catalogue() -> Catalogue:
    """service-catalogue.md, version 1."""
    return Catalogue.from_dict({"version": 1})
