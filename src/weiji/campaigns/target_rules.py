"""Campaign target rules (pure): who a campaign is for, evaluated on its start date S.

A target rule is a function ``(district, person, on, params) -> bool``; ``on`` is S and all
catalogue terms are evaluated on it. Rules are registered in ``TARGET_RULES`` under the name
campaign definitions use (``target.rule`` in the YAML), each with the parameters it needs,
so new rules are one function and one registry entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from weiji.rules.dates import add_days, age_years
from weiji.rules.facts import District, Person
from weiji.rules.terms import children, events_known, in_scope, is_married, latest_marriage

TargetPredicate = Callable[[District, Person, date, Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class TargetParam:
    name: str
    kind: str  # "date" | "int"
    label_zh: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class TargetRule:
    code: str
    name_zh: str
    description_zh: str
    params: tuple[TargetParam, ...]
    predicate: TargetPredicate


def spring_women_checkup(
    district: District, person: Person, on: date, params: Mapping[str, Any]
) -> bool:
    """2018 spring MCH/FP plan: married women born on or after ``born_on_or_after``.

    A woman in scope on S, born on or after the date, married on S, and at least one of:
    m ∈ (S − 365, S]; exactly one child; a ``birth_registration`` dated ≤ S; an inflow
    aged 15–49 on S.
    """
    if person.sex != "2" or not in_scope(person, on):
        return False
    if person.birth_date < params["born_on_or_after"]:
        return False
    if not is_married(district, person, on):
        return False
    marriage = latest_marriage(district, person.local_id, on)
    if marriage is not None and add_days(on, -365) < marriage.date <= on:
        return True
    if len(children(district, person.local_id, on)) == 1:
        return True
    if events_known(district, person.local_id, on, "birth_registration"):
        return True
    return person.residency == "inflow" and 15 <= age_years(person.birth_date, on) <= 49


def women_of_reproductive_age(
    district: District, person: Person, on: date, params: Mapping[str, Any]
) -> bool:
    """Every woman in scope aged ``min_age``–``max_age`` (default 15–49) on S."""
    if person.sex != "2" or not in_scope(person, on):
        return False
    age = age_years(person.birth_date, on)
    return int(params.get("min_age", 15)) <= age <= int(params.get("max_age", 49))


TARGET_RULES: dict[str, TargetRule] = {
    rule.code: rule
    for rule in (
        TargetRule(
            code="spring_women_checkup",
            name_zh="春季妇女健康查体",
            description_zh="在管已婚妇女（出生日期不早于指定日期），且一年内结婚、只有一个孩子、"
            "已办理生育登记或为15–49岁流入人口之一",
            params=(TargetParam("born_on_or_after", "date", "出生日期不早于"),),
            predicate=spring_women_checkup,
        ),
        TargetRule(
            code="women_of_reproductive_age",
            name_zh="育龄妇女",
            description_zh="在管女性，年龄在最小与最大年龄之间（默认15–49岁）",
            params=(
                TargetParam("min_age", "int", "最小年龄", required=False),
                TargetParam("max_age", "int", "最大年龄", required=False),
            ),
            predicate=women_of_reproductive_age,
        ),
    )
}


def is_target(
    district: District, person: Person, on: date, rule: str, params: Mapping[str, Any]
) -> bool:
    return TARGET_RULES[rule].predicate(district, person, on, params)
