"""Roll-up of village counts to towns and the county, and the rows of `weiji indicators`.

Pure (no Django). Values are computed on exact fractions: ``value`` is rounded half up to
4 decimals, ``meets_target`` compares the exact fraction with the target.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from weiji.rules.facts import District
from weiji.rules.terms import unit_path

POPULATIONS = ("all", "inflow", "registered")  # code-point order, as rows are sorted
COLUMNS = [
    "period_start", "period_end", "unit_code", "population", "indicator",
    "numerator", "denominator", "value", "target", "meets_target",
]
FOUR = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class IndicatorMeta:
    """What the output needs to know of an indicator: scale, count-only, targets."""

    code: str
    scale: int = 1
    count_only: bool = False  # value = numerator, no denominator (live_births)
    targets: Mapping[str, Fraction] | None = None  # population -> target


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    period_start: date
    period_end: date
    unit_code: str
    population: str
    indicator: str
    numerator: int
    denominator: int | None
    value: Decimal | None
    target: Fraction | None
    meets_target: bool | None

    def as_csv(self) -> list[str]:
        return [
            self.period_start.isoformat(), self.period_end.isoformat(), self.unit_code,
            self.population, self.indicator, str(self.numerator),
            "" if self.denominator is None else str(self.denominator),
            "" if self.value is None else f"{self.value:.4f}",
            "" if self.target is None else f"{quantize(self.target):.4f}",
            "" if self.meets_target is None else ("true" if self.meets_target else "false"),
        ]


def quantize(value: Fraction) -> Decimal:
    """An exact fraction rounded half up to 4 decimals."""
    # Scale by 10^4, round half up on the exact fraction, then scale back.
    scaled = value * 10000
    floor = scaled.numerator // scaled.denominator
    if scaled - floor >= Fraction(1, 2):
        floor += 1
    return (Decimal(floor) / Decimal(10000)).quantize(FOUR)


def make_row(
    meta: IndicatorMeta, p1: date, p2: date, unit_code: str, population: str,
    numerator: int, denominator: int,
) -> IndicatorRow:
    target = (meta.targets or {}).get(population)
    if meta.count_only:
        return IndicatorRow(p1, p2, unit_code, population, meta.code, numerator, None,
                            Decimal(numerator).quantize(FOUR), target, None)
    if denominator == 0:
        return IndicatorRow(p1, p2, unit_code, population, meta.code, numerator, denominator,
                            None, target, None)
    exact = Fraction(numerator, denominator) * meta.scale
    meets = None if target is None else exact >= target
    return IndicatorRow(p1, p2, unit_code, population, meta.code, numerator, denominator,
                        quantize(exact), target, meets)


def report_units(district: District, *, zones: bool = False) -> list[str]:
    """Every loaded village, town and county (and zone when asked), sorted by code."""
    levels = {"village", "town", "county"} | ({"zone"} if zones else set())
    return sorted(code for code, unit in district.units.items() if unit.level in levels)


def rollup(
    district: District, village_counts: Mapping[tuple[str, str], int], *, zones: bool = False
) -> Counter:
    """Village × population counts summed up to every reported unit, plus ``all``.

    A village counts in every ancestor (its town even under a zone, and the county).
    """
    levels = {"village", "town", "county"} | ({"zone"} if zones else set())
    paths: dict[str, list[str]] = {}
    result: Counter = Counter()
    for (village, population), count in village_counts.items():
        if not count:
            continue
        if village not in paths:
            paths[village] = [
                code for code in unit_path(district, village)
                if code in district.units and district.units[code].level in levels
            ]
        for code in paths[village]:
            result[(code, population)] += count
            result[(code, "all")] += count
    return result


def build_rows(
    district: District, metas: Iterable[IndicatorMeta],
    counts: Mapping[str, tuple[Mapping, Mapping]], p1: date, p2: date, *, zones: bool = False,
) -> list[IndicatorRow]:
    """One row per unit × population × indicator, sorted by unit, population, indicator."""
    metas = list(metas)
    rolled = rolled_counts(district, metas, counts, zones=zones)
    return rows_from_rolled(report_units(district, zones=zones), metas, rolled, p1, p2)


def rolled_counts(
    district: District, metas: Iterable[IndicatorMeta],
    counts: Mapping[str, tuple[Mapping, Mapping]], *, zones: bool = False,
) -> dict[str, tuple[Counter, Counter]]:
    """Per indicator, (numerator, denominator) keyed by (unit_code, population)."""
    return {
        m.code: (rollup(district, counts[m.code][0], zones=zones),
                 rollup(district, counts[m.code][1], zones=zones))
        for m in metas
    }


def rows_from_rolled(
    units: Iterable[str], metas: Iterable[IndicatorMeta],
    rolled: Mapping[str, tuple[Mapping, Mapping]], p1: date, p2: date,
) -> list[IndicatorRow]:
    metas = sorted(metas, key=lambda m: m.code)
    rows = []
    for unit in sorted(units):
        for population in POPULATIONS:
            for meta in metas:
                num, den = rolled.get(meta.code, ({}, {}))
                rows.append(make_row(meta, p1, p2, unit, population,
                                     num.get((unit, population), 0),
                                     den.get((unit, population), 0)))
    return rows
