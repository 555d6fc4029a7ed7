"""高血压 / 2型糖尿病 随访: one follow-up per calendar quarter (chronic_followup_<condition>)."""

from __future__ import annotations

from collections.abc import Iterator

from weiji.rules.dates import quarter_bounds
from weiji.rules.evaluate import Context
from weiji.rules.facts import DueItem


def evaluate(ctx: Context) -> Iterator[DueItem]:
    diagnoses = ctx.events("chronic_diagnosis")
    if not diagnoses:
        return
    cfg = ctx.cat.services["chronic_followup"]
    if not cfg.enabled:
        return
    start, end = quarter_bounds(ctx.d)
    for condition in ctx.cat.chronic_conditions:
        diagnosis = next((ev for ev in diagnoses if ev.condition == condition), None)
        if diagnosis is None:
            continue
        if any(
            ev.condition == condition and ev.date >= start
            for ev in ctx.events("chronic_followup")
        ):
            continue
        yield ctx.item(
            f"chronic_followup_{condition}", cfg, start, end, basis=(diagnosis.event_id,)
        )
