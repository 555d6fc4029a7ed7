"""Reads: the active indicator definitions, cached indicator rows, units a user may see."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date

from weiji.indicators.definitions import Indicator, compile_definitions, default_definitions
from weiji.indicators.models import IndicatorDefinition, IndicatorPeriod
from weiji.indicators.output import IndicatorRow, rows_from_rolled
from weiji.orgunits.models import OrgUnit

REPORT_LEVELS = ("village", "town", "county")


def active_indicators() -> list[Indicator]:
    """The default indicators plus the district's own active ones, compiled."""
    specs = default_definitions()
    specs += [
        {**row.spec, "code": row.code, "name_zh": row.name_zh}
        for row in IndicatorDefinition.objects.filter(active=True)
    ]
    return compile_definitions(specs)


def definitions_hash(indicators: list[Indicator]) -> str:
    text = json.dumps([i.spec for i in indicators], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def report_unit_codes(*, zones: bool = False) -> list[str]:
    levels = (*REPORT_LEVELS, "zone") if zones else REPORT_LEVELS
    return list(OrgUnit.objects.filter(level__in=levels).order_by("code")
                .values_list("code", flat=True))


def cached_counts(period: IndicatorPeriod) -> dict[str, tuple[Counter, Counter]]:
    rolled: dict[str, tuple[Counter, Counter]] = {}
    for indicator, cells in (period.counts or {}).items():
        num, den = rolled.setdefault(indicator, (Counter(), Counter()))
        for unit, population, n, d in cells:
            num[(unit, population)] = n
            den[(unit, population)] = d
    return rolled


def rows_from_cache(
    period: IndicatorPeriod, indicators: list[Indicator], *, units: list[str]
) -> list[IndicatorRow]:
    return rows_from_rolled(units, [i.meta for i in indicators], cached_counts(period),
                            period.period_start, period.period_end)


def unit_codes_in_scope(user) -> set[str]:
    """Units whose every village is in the user's scope (a rate never mixes in others)."""
    from weiji.accounts.scope import scope_villages

    allowed = set(scope_villages(user).values_list("code", flat=True))
    units = list(OrgUnit.objects.values_list("code", "level", "path"))
    villages_under: dict[str, list[str]] = {code: [] for code, _, _ in units}
    paths = {code: path for code, _, path in units}
    for code, level, path in units:
        if level != "village":
            continue
        for ancestor in (path or "").strip("/").split("/"):
            if ancestor in villages_under:
                villages_under[ancestor].append(code)
        villages_under[code].append(code)
    return {
        code for code, villages in villages_under.items()
        if villages and all(v in allowed for v in villages) and paths.get(code) is not None
    }


def scoring_items() -> tuple[str, list[dict]]:
    """The active scheme's name and items (the default scheme when none is set)."""
    from weiji.indicators.models import ScoringScheme
    from weiji.indicators.scoring import DEFAULT_ITEMS

    scheme = ScoringScheme.objects.filter(active=True).first()
    if scheme is None:
        return "默认考核方案", DEFAULT_ITEMS
    return scheme.name, scheme.items


def period_is_locked(*, village_code: str, day: date) -> bool:
    """Whether the month of ``day`` is approved (locked) for the town of a village."""
    from weiji.records.locks import period_is_locked as records_period_is_locked

    return records_period_is_locked(village_code=village_code, day=day)


def reportform_list(*, user, month: date):
    """Town forms of the month in the user's scope, with every town listed (form or None)."""
    from weiji.accounts.scope import scope_units
    from weiji.indicators.models import ReportForm

    towns = scope_units(user).filter(level="town").order_by("code")
    forms = {f.unit_id: f for f in ReportForm.objects.filter(month=month.replace(day=1),
                                                              unit__in=towns)}
    return [(town, forms.get(town.code)) for town in towns]
