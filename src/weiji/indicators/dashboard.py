"""Dashboard data (indicator trend, unit comparison, task progress, ranking) for a user.

Every figure is computed from the per-month cache (``indicator_periods_refresh``) and only
for units whose villages are all in the user's scope; a facility user, whose villages need
not make up a whole unit, gets the sum over its villages (``SCOPE``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import Count, Q

from weiji.indicators.definitions import Indicator
from weiji.indicators.output import quantize
from weiji.indicators.selectors import (
    active_indicators,
    cached_counts,
    scoring_items,
    unit_codes_in_scope,
)
from weiji.indicators.services import indicator_periods_refresh
from weiji.orgunits.models import OrgUnit
from weiji.rules.dates import add_months, month_end

SCOPE = "scope"


@dataclass
class Point:
    label: str
    code: str
    numerator: int
    denominator: int
    value: Fraction | None

    @property
    def value_text(self) -> str:
        return "" if self.value is None else f"{quantize(self.value):.4f}"

    @property
    def value_number(self) -> float | None:
        return None if self.value is None else float(quantize(self.value))


def months_until(last: date, count: int = 12) -> list[tuple[date, date]]:
    first = add_months(last.replace(day=1), -(count - 1))
    return [(add_months(first, i), month_end(add_months(first, i))) for i in range(count)]


def _value(indicator: Indicator, num: int, den: int) -> Fraction | None:
    if indicator.meta.count_only:
        return Fraction(num)
    return Fraction(num, den) * indicator.meta.scale if den else None


def target_for(indicator: Indicator, population: str) -> Fraction | None:
    """The indicator's own target, else the scoring scheme's target for it."""
    own = (indicator.meta.targets or {}).get(population)
    if own is not None:
        return own
    for item in scoring_items()[1]:
        params = item.get("params") or {}
        if item.get("kind") == "indicator" and params.get("indicator") == indicator.code:
            return Fraction(str(params["target"]))
    return None


class Dashboard:
    """Everything the dashboard page shows for one user, unit, indicator and population."""

    def __init__(self, *, user, unit: str | None, indicator: str | None, population: str,
                 last_month: date) -> None:
        self.user = user
        self.allowed = unit_codes_in_scope(user)
        self.indicators = active_indicators()
        by_code = {i.code: i for i in self.indicators}
        self.indicator = by_code.get(indicator or "") or by_code["child_health_mgmt_rate"]
        self.population = population if population in ("all", "registered", "inflow") else "all"
        self.unit = self._pick_unit(unit)
        self.periods = months_until(last_month)
        self.cache = indicator_periods_refresh(periods=self.periods, indicators=self.indicators)
        self.counts = {p: cached_counts(self.cache[p]) for p in self.periods}
        self.target = target_for(self.indicator, self.population)

    @property
    def target_text(self) -> str:
        return "" if self.target is None else f"{quantize(self.target):.4f}"

    def _pick_unit(self, unit: str | None) -> str:
        if unit and (unit in self.allowed or unit == SCOPE):
            return unit
        own = getattr(self.user, "orgunit_id", None)
        if own and own in self.allowed:
            return own
        if self.user.is_superuser:
            county = OrgUnit.objects.filter(level="county").order_by("code").first()
            if county is not None:
                return county.code
        return SCOPE

    @property
    def units(self) -> list[OrgUnit]:
        """Units the user may pick (the scope sum first for facility users)."""
        return list(OrgUnit.objects.filter(code__in=self.allowed).exclude(level="zone")
                    .order_by("code"))

    @property
    def unit_name(self) -> str:
        if self.unit == SCOPE:
            return "本机构服务范围"
        return OrgUnit.objects.filter(code=self.unit).values_list("name", flat=True).first() or ""

    def _codes(self) -> list[str]:
        if self.unit != SCOPE:
            return [self.unit]
        return sorted(c for c in self.allowed
                      if OrgUnit.objects.filter(code=c, level="village").exists())

    def _pair(self, period, codes: list[str]) -> tuple[int, int]:
        num, den = self.counts[period].get(self.indicator.code, (Counter(), Counter()))
        return (sum(num.get((c, self.population), 0) for c in codes),
                sum(den.get((c, self.population), 0) for c in codes))

    def trend(self) -> list[Point]:
        codes = self._codes()
        points = []
        for period in self.periods:
            num, den = self._pair(period, codes)
            points.append(Point(f"{period[0]:%Y-%m}", self.unit, num, den,
                                _value(self.indicator, num, den)))
        return points

    def children(self) -> list[OrgUnit]:
        if self.unit == SCOPE:
            return list(OrgUnit.objects.filter(code__in=self._codes()).order_by("code"))
        unit = OrgUnit.objects.filter(code=self.unit).first()
        if unit is None:
            return []
        level = "town" if unit.level == "county" else "village"
        if unit.level == "village":
            return [unit]
        return list(OrgUnit.objects.filter(path__startswith=unit.path, level=level)
                    .exclude(code=unit.code).order_by("code"))

    def comparison(self) -> list[Point]:
        """The last month, per child unit (villages of a town, towns of the county)."""
        period = self.periods[-1]
        points = []
        for child in self.children():
            if child.code not in self.allowed:
                continue
            num, den = self._pair(period, [child.code])
            points.append(Point(child.name, child.code, num, den,
                                _value(self.indicator, num, den)))
        return points

    def task_progress(self) -> list[Point]:
        """Work-list items whose window ends in the last month: done / all, per child unit."""
        from django.apps import apps

        p1, p2 = self.periods[-1]
        ServiceItem = apps.get_model("worklists", "ServiceItem")
        points = []
        for child in self.children():
            if child.code not in self.allowed:
                continue
            agg = ServiceItem.objects.filter(
                due_until__range=(p1, p2), village__path__startswith=child.path
            ).aggregate(n=Count("pk"), done=Count("pk", filter=Q(state="done")))
            points.append(Point(child.name, child.code, agg["done"], agg["n"],
                                Fraction(agg["done"], agg["n"]) if agg["n"] else None))
        return points

    def ranking(self) -> list[Point]:
        """Child units by the indicator's value in the last month (best first)."""
        points = [p for p in self.comparison() if p.value is not None]
        return sorted(points, key=lambda p: (-p.value, p.code))

    def chart_data(self) -> dict:
        def series(points: list[Point]) -> dict:
            return {"labels": [p.label for p in points],
                    "values": [p.value_number for p in points]}

        return {
            "indicator": self.indicator.name_zh,
            "target": None if self.target is None else float(self.target),
            "trend": series(self.trend()),
            "comparison": series(self.comparison()),
            "tasks": series(self.task_progress()),
        }
