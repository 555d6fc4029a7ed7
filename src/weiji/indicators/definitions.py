"""Indicator definitions as data (indicators.md, version 1) and their compiled form.

A definition is a plain dict — code, Chinese name, scale, targets per population, and a
denominator and numerator *selection* built from the blocks of ``blocks.py``. The default
indicators below ship with the product; a district adds its own as the same dicts
(``IndicatorDefinition`` rows, see ``selectors.active_definitions``).

Selections: ``{"subject": "person" | "live_birth", "where": [[block, {params}], ...]}``.
The numerator by default is the denominator's subjects that also pass its ``where``; with
``"independent": true`` it is its own selection (mortality: deaths over live births).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from weiji.indicators.blocks import Block, DefinitionError, make_block
from weiji.indicators.output import IndicatorMeta
from weiji.rules.schedule import Schedule, default_schedule

SUBJECTS = ("person", "live_birth")

LIVE_BIRTHS = {"subject": "live_birth", "where": [["live_birth_in_period", {}]]}
MARRIED_WOMEN = [
    ["woman_of_reproductive_age", {"on": "P2"}], ["in_scope", {"on": "P2"}],
    ["married", {"on": "P2"}],
]
YOUNG_CHILDREN = {"subject": "person", "where": [
    ["age", {"below": 7, "on": "P2"}], ["in_scope", {"on": "P2"}],
]}

DEFAULT_DEFINITIONS: list[dict[str, Any]] = [
    {
        "code": "live_births", "name_zh": "活产数", "count_only": True,
        "denominator": LIVE_BIRTHS, "numerator": {"where": []},
    },
    {
        "code": "early_registration_rate", "name_zh": "早孕建册率",
        "denominator": LIVE_BIRTHS,
        "numerator": {"where": [
            ["event", {"types": ["maternal_handbook"], "from": "lmp", "to": "lmp+90"}],
        ]},
    },
    {
        "code": "antenatal_5_rate", "name_zh": "产前检查≥5次率",
        "denominator": LIVE_BIRTHS,
        "numerator": {"where": [
            ["event", {"types": ["maternal_handbook"], "from": "lmp", "to": "birth"}],
            ["event", {"types": ["antenatal_visit"], "from": "lmp", "to": "birth",
                       "min_count": 4}],
        ]},
    },
    {
        "code": "postpartum_visit_rate", "name_zh": "产后访视率",
        "denominator": LIVE_BIRTHS,
        "numerator": {"where": [
            ["event", {"types": ["postpartum_visit"], "from": "discharge",
                       "to": "discharge+28"}],
        ]},
    },
    {
        "code": "newborn_visit_rate", "name_zh": "新生儿访视率",
        "denominator": {"subject": "person", "where": [
            ["born_in_period", {}], ["alive_after_birth", {"days": 7}],
        ]},
        "numerator": {"where": [
            ["event", {"types": ["newborn_visit"], "from": "birth", "to": "birth+28"}],
        ]},
    },
    {
        "code": "child_health_mgmt_rate", "name_zh": "0-6岁儿童健康管理率",
        "denominator": YOUNG_CHILDREN,
        "numerator": {"where": [
            ["event", {"types": ["newborn_visit", "child_checkup"], "from": "P1", "to": "P2"}],
        ]},
    },
    {
        "code": "fully_vaccinated_rate", "name_zh": "适龄儿童接种率(全程)",
        "targets": {"inflow": "0.95"},
        "denominator": YOUNG_CHILDREN,
        "numerator": {"where": [["fully_vaccinated", {"lag_days": 30}]]},
    },
    {
        "code": "elderly_mgmt_rate", "name_zh": "老年人健康管理率",
        "denominator": {"subject": "person", "where": [
            ["age", {"min": 65, "on": "P2"}], ["in_scope", {"on": "P2"}],
            ["inflow_settled", {"months": 6}],
        ]},
        "numerator": {"where": [
            ["event", {"types": ["elderly_checkup"], "from": "year_start", "to": "P2"}],
        ]},
    },
    *[
        {
            "code": f"{condition}_followup_rate", "name_zh": f"{name}规范随访率",
            "denominator": {"subject": "person", "where": [
                ["event", {"types": ["chronic_diagnosis"], "condition": condition, "to": "P1"}],
                ["in_scope", {"on": "P2"}],
            ]},
            "numerator": {"where": [
                ["event_every_quarter", {"types": ["chronic_followup"], "condition": condition}],
            ]},
        }
        for condition, name in (("hypertension", "高血压"), ("diabetes", "糖尿病"))
    ],
    {
        "code": "contraception_coverage", "name_zh": "避孕节育措施落实率",
        "targets": {"inflow": "1"},
        "denominator": {"subject": "person", "where": [
            *MARRIED_WOMEN, ["has_child", {"on": "P2"}], ["no_current_pregnancy", {"on": "P2"}],
            ["no_event", {"types": ["pregnancy_outcome"], "from": "P2-41", "to": "P2"}],
        ]},
        "numerator": {"where": [["protected", {"on": "P2"}]]},
    },
    {
        "code": "fp_guidance_coverage", "name_zh": "计划生育技术指导咨询服务覆盖率",
        "targets": {"inflow": "0.95"},
        "denominator": {"subject": "person", "where": MARRIED_WOMEN},
        "numerator": {"where": [
            ["event", {"types": ["preconception_checkup", "folic_acid", "contraception",
                                 "health_checkup", "home_visit"],
                       "from": "P2-365", "to": "P2"}],
        ]},
    },
    {
        "code": "maternal_mortality", "name_zh": "孕产妇死亡率(1/10万)", "scale": 100000,
        "denominator": LIVE_BIRTHS,
        "numerator": {"independent": True, "subject": "person", "where": [
            ["died_in_period", {}], ["died_pregnant_or_postpartum", {"days": 42}],
        ]},
    },
    {
        "code": "infant_mortality", "name_zh": "婴儿死亡率(‰)", "scale": 1000,
        "denominator": LIVE_BIRTHS,
        "numerator": {"independent": True, "subject": "person", "where": [
            ["died_in_period", {}], ["died_aged_below", {"years": 1}],
        ]},
    },
]


def vaccine_definitions(schedule: Schedule) -> list[dict[str, Any]]:
    """One timeliness indicator per dose of any schedule version."""
    names = {f"{d.vaccine}_{d.dose}": d.name_zh for d in schedule.doses}
    result = []
    for code in schedule.dose_codes():
        vaccine, dose = code.rsplit("_", 1)
        params = {"vaccine": vaccine, "dose": int(dose)}
        result.append({
            "code": f"vaccine_timely_rate:{code}",
            "name_zh": f"{names[code]}第{dose}剂及时接种率",
            "denominator": {"subject": "person", "where": [
                ["dose_target_in_period", params], ["in_scope", {"on": "P2"}],
            ]},
            "numerator": {"where": [["dose_recorded_by", {**params, "days": 30}]]},
        })
    return result


def default_definitions(schedule: Schedule | None = None) -> list[dict[str, Any]]:
    return [*DEFAULT_DEFINITIONS, *vaccine_definitions(schedule or default_schedule())]


@dataclass(frozen=True)
class Selection:
    subject: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Indicator:
    """A compiled definition: the output metadata and its two selections."""

    code: str
    name_zh: str
    meta: IndicatorMeta
    denominator: Selection
    numerator: Selection
    numerator_independent: bool = False
    spec: Mapping[str, Any] | None = None


def _selection(spec: Mapping[str, Any], default_subject: str, what: str) -> Selection:
    subject = spec.get("subject", default_subject)
    if subject not in SUBJECTS:
        raise DefinitionError(f"{what}: 未知的对象 / unknown subject {subject!r}")
    return Selection(subject, tuple(make_block(b) for b in spec.get("where", ())))


def compile_definition(spec: Mapping[str, Any]) -> Indicator:
    """Check and compile one definition dict; raises DefinitionError naming what is wrong."""
    code = str(spec.get("code", "")).strip()
    if not code:
        raise DefinitionError("指标缺少代码 / indicator has no code")
    try:
        scale = int(spec.get("scale", 1))
        targets = {pop: Fraction(str(v)) for pop, v in (spec.get("targets") or {}).items()}
    except (TypeError, ValueError) as exc:
        raise DefinitionError(f"{code}: 比例或目标无效 / bad scale or target: {exc}") from exc
    unknown = set(targets) - {"all", "registered", "inflow"}
    if unknown:
        raise DefinitionError(f"{code}: 未知人群 / unknown population {sorted(unknown)}")
    if "denominator" not in spec:
        raise DefinitionError(f"{code}: 缺少分母 / no denominator")
    denominator = _selection(spec["denominator"], "person", f"{code} denominator")
    numerator_spec = spec.get("numerator") or {}
    independent = bool(numerator_spec.get("independent"))
    numerator = _selection(numerator_spec, "person" if independent else denominator.subject,
                           f"{code} numerator")
    if not independent and numerator.subject != denominator.subject:
        raise DefinitionError(f"{code}: 分子与分母对象不同 / numerator subject differs")
    for sel, what in ((denominator, "denominator"), (numerator, "numerator")):
        if (independent or sel is denominator) and not any(
            b.candidates and b.candidate_subject == sel.subject for b in sel.blocks
        ):
            raise DefinitionError(
                f"{code} {what}: 需要至少一个可检索的积木 (年龄、事件、出生、死亡、活产) / "
                "needs at least one indexable block (age, event, born, died, live birth)"
            )
    meta = IndicatorMeta(code=code, scale=scale, count_only=bool(spec.get("count_only")),
                         targets=targets or None)
    return Indicator(code, str(spec.get("name_zh", code)), meta, denominator, numerator,
                     independent, spec)


def compile_definitions(specs: Iterable[Mapping[str, Any]]) -> list[Indicator]:
    indicators = [compile_definition(s) for s in specs]
    codes = [i.code for i in indicators]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DefinitionError(f"指标代码重复 / duplicate indicator codes: {duplicates}")
    return indicators
