"""Writes: computing and caching indicator periods, saving a district's own definitions."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from weiji.indicators.blocks import DistrictIndex
from weiji.indicators.definitions import Indicator, compile_definition
from weiji.indicators.engine import evaluate
from weiji.indicators.models import IndicatorDefinition, IndicatorPeriod, IndicatorValue
from weiji.indicators.output import rolled_counts
from weiji.indicators.selectors import active_indicators, definitions_hash
from weiji.indicators.snapshot import district_facts, period_fingerprint


def indicator_periods_refresh(
    *, periods: Iterable[tuple[date, date]], indicators: list[Indicator] | None = None,
    force: bool = False,
) -> dict[tuple[date, date], IndicatorPeriod]:
    """Make the cache of each period current; recompute only periods whose data changed.

    A period is recomputed when the fingerprint of its data (events dated ≤ its end,
    persons, units, definitions) differs from the one it was computed with. All stale
    periods share one snapshot of the register.
    """
    indicators = indicators or active_indicators()
    dhash = definitions_hash(indicators)
    result: dict[tuple[date, date], IndicatorPeriod] = {}
    stale: list[tuple[tuple[date, date], str]] = []
    for p1, p2 in periods:
        if p1 > p2:
            raise ValueError(f"期间起点晚于终点 / period start {p1} is after its end {p2}")
        fingerprint = period_fingerprint(period_end=p2, definitions_hash=dhash)
        cached = IndicatorPeriod.objects.filter(period_start=p1, period_end=p2).first()
        if cached is not None and cached.fingerprint == fingerprint and not force:
            result[(p1, p2)] = cached
        else:
            stale.append(((p1, p2), fingerprint))
    if not stale:
        return result
    district = district_facts()
    index = DistrictIndex(district)
    metas = [i.meta for i in indicators]
    for (p1, p2), fingerprint in stale:
        started = time.monotonic()
        counts = evaluate(index, indicators, p1, p2)
        rolled = rolled_counts(district, metas, counts, zones=True)
        seconds = time.monotonic() - started
        result[(p1, p2)] = _store(p1, p2, fingerprint, rolled, seconds)
    return result


@transaction.atomic
def _store(p1: date, p2: date, fingerprint: str, rolled: dict, seconds: float) -> IndicatorPeriod:
    period, _ = IndicatorPeriod.objects.update_or_create(
        period_start=p1, period_end=p2, defaults={"fingerprint": fingerprint, "seconds": seconds}
    )
    IndicatorValue.objects.filter(period=period).delete()
    values = []
    for code, (num, den) in rolled.items():
        for key in set(num) | set(den):
            n, d = num.get(key, 0), den.get(key, 0)
            if n or d:
                values.append(IndicatorValue(period=period, unit_code=key[0], population=key[1],
                                             indicator=code, numerator=n, denominator=d))
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    return period


def indicator_definition_save(*, code: str, name_zh: str, spec: dict, active: bool = True
                              ) -> IndicatorDefinition:
    """Add or change a district's own indicator; the spec is checked by compiling it."""
    compile_definition({**spec, "code": code, "name_zh": name_zh})
    row, _ = IndicatorDefinition.objects.update_or_create(
        code=code, defaults={"name_zh": name_zh, "spec": spec, "active": active}
    )
    return row
