"""The production indicator engine: compiled definitions evaluated over District facts.

For each period it selects each definition's subjects through the most selective indexed
block (``blocks.Block.candidates``), tests the remaining blocks, and counts per village and
population; ``output.build_rows`` rolls the counts up to towns and the county. The index is
built once per District and shared by all periods (``evaluate_periods``), so twelve months
cost one load. ``reference.py`` is the brute force it is tested against.

Why not SQL: the catalogue terms (which pregnancy an outcome ends, protection, marriage by
partner, schedule versions) are defined once in ``weiji.rules.terms``; evaluating them in
Python over an indexed snapshot keeps one definition of each term and meets the benchmark
(docs/benchmarks.md, "Indicators"). Loading the snapshot is set-based (one query per table).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from weiji.indicators.blocks import Context, DistrictIndex, LiveBirth, population_of
from weiji.indicators.definitions import (
    Indicator,
    Selection,
    compile_definitions,
    default_definitions,
)
from weiji.indicators.output import IndicatorRow, build_rows
from weiji.rules.facts import District

Counts = tuple[Counter, Counter]


def _subject_key(subject) -> tuple[str, str] | None:
    person = subject.mother if isinstance(subject, LiveBirth) else subject
    population = population_of(person)
    return None if population is None else (person.village_code, population)


def _select(ctx: Context, selection: Selection) -> list:
    """Subjects passing every block of the selection (cached per period by its spec).

    A selection whose blocks include all blocks of one already computed this period (the
    contraception population within the married women, say) starts from that one's
    subjects and tests only its other blocks.
    """
    specs = {json.dumps(b.spec(), sort_keys=True): b for b in selection.blocks}
    done: dict = ctx.cache.setdefault("selections", {})
    key = (selection.subject, tuple(sorted(specs)))
    if key in done:
        return done[key]
    best, blocks = None, selection.blocks
    for (subject, done_specs), chosen in done.items():
        if (subject == selection.subject and set(done_specs) <= set(specs)
                and (best is None or len(chosen) < len(best))):
            best = chosen
            blocks = tuple(b for spec, b in specs.items() if spec not in done_specs)
    if best is None:
        for spec, block in specs.items():
            if block.candidates is None or block.candidate_subject != selection.subject:
                continue
            pool = ctx.cache.get(("pool", spec, ()))
            if pool is None:
                keys = ctx.index.subject_keys
                pool = list(block.candidates(ctx))
                # Index lookups yield counted people only; check that in C, filter if not.
                if not all(map(keys.__contains__, map(id, pool))):
                    pool = [s for s in pool if id(s) in keys or _subject_key(s) is not None]
                ctx.cache[("pool", spec, ())] = pool
            if best is None or len(pool) < len(best):
                best = pool
    if best is None:
        raise ValueError("selection without an indexable block")
    chosen = _passing(ctx, best, [b.test for b in blocks])
    done[key] = chosen
    return chosen


def _passing(ctx: Context, subjects: list, tests: list) -> list:
    """The subjects passing every test (loops rather than ``all``: this is the hot path)."""
    if not tests:
        return list(subjects)
    if len(tests) == 1:
        only = tests[0]
        return [s for s in subjects if only(ctx, s)]
    first, rest = tests[0], tests[1:]
    chosen = []
    for s in subjects:
        if first(ctx, s):
            for test in rest:
                if not test(ctx, s):
                    break
            else:
                chosen.append(s)
    return chosen


def evaluate_indicator(ctx: Context, indicator: Indicator) -> Counts:
    """Village × population (numerator, denominator) counts of one indicator."""
    keys = ctx.index.subject_keys

    def key_of(subject) -> tuple[str, str]:
        return keys.get(id(subject)) or _subject_key(subject)

    def count(subjects: list) -> Counter:
        try:  # all in C when every subject comes from the index (the usual case)
            return Counter(map(keys.__getitem__, map(id, subjects)))
        except KeyError:
            return Counter(map(key_of, subjects))

    denominator = _select(ctx, indicator.denominator)
    den = count(denominator)
    if indicator.numerator_independent:
        num = count(_select(ctx, indicator.numerator))
    else:
        num = count(_passing(ctx, denominator, [b.test for b in indicator.numerator.blocks]))
    if indicator.meta.count_only:
        return num, Counter()
    return num, den


def evaluate(
    index: DistrictIndex, indicators: Sequence[Indicator], p1: date, p2: date
) -> dict[str, Counts]:
    ctx = Context(index, p1, p2)
    # Smaller denominators first, so larger ones can start from their subjects.
    ordered = sorted(indicators, key=lambda i: len(i.denominator.blocks))
    results = {ind.code: evaluate_indicator(ctx, ind) for ind in ordered}
    return {ind.code: results[ind.code] for ind in indicators}


def indicator_rows(
    district: District, p1: date, p2: date, *, indicators: Sequence[Indicator] | None = None,
    index: DistrictIndex | None = None, zones: bool = False,
) -> list[IndicatorRow]:
    """The rows of `weiji indicators` for one period (every unit × population × indicator)."""
    indicators = indicators or compile_definitions(default_definitions())
    index = index or DistrictIndex(district)
    counts = evaluate(index, indicators, p1, p2)
    return build_rows(district, [i.meta for i in indicators], counts, p1, p2, zones=zones)


def evaluate_periods(
    district: District, periods: Iterable[tuple[date, date]],
    indicators: Sequence[Indicator] | None = None,
) -> dict[tuple[date, date], dict[str, Counts]]:
    """Village counts for several periods over one index (the monthly cache fills from this)."""
    indicators = indicators or compile_definitions(default_definitions())
    return evaluate_many(DistrictIndex(district), indicators, list(periods))


# Periods are independent once the index is built: on a multi-core machine they are
# evaluated by forked workers that share the index copy-on-write (no pickling of facts).
_FORKED: tuple[DistrictIndex, Sequence[Indicator], Callable | None] | None = None
PARALLEL_MIN_PERSONS = 20_000


def _evaluate_forked(period: tuple[date, date]) -> tuple[tuple[date, date], Any]:
    index, indicators, finish = _FORKED
    counts = evaluate(index, indicators, *period)
    return period, counts if finish is None else finish(counts)


def evaluate_many(
    index: DistrictIndex, indicators: Sequence[Indicator], periods: Sequence[tuple[date, date]],
    *, workers: int | None = None, finish: Callable[[dict[str, Counts]], Any] | None = None,
) -> dict[tuple[date, date], Any]:
    """Evaluate several periods; in parallel (fork) for big districts on several cores.

    ``finish``, when given, is applied to each period's counts where they are computed (in
    the worker: the roll-up to towns and the county runs in parallel too), and its result
    is returned instead of the counts.
    """
    global _FORKED
    periods = list(periods)
    if workers is None:
        workers = min(os.cpu_count() or 1, len(periods))
        if len(index.by_birth) < PARALLEL_MIN_PERSONS:
            workers = 1
    if workers <= 1 or len(periods) < 2 or "fork" not in mp.get_all_start_methods():
        results = {p: evaluate(index, indicators, *p) for p in periods}
        return results if finish is None else {p: finish(c) for p, c in results.items()}
    # Every period goes to the workers (each fills its own per-person memo): no core idles.
    results = {}
    _FORKED = (index, indicators, finish)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            results.update(pool.map(_evaluate_forked, periods, chunksize=1))
    finally:
        _FORKED = None
    return results
