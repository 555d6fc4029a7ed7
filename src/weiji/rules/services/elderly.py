"""老年人健康体检: residents aged 65+ once a calendar year (elderly_checkup)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from weiji.rules.dates import add_months
from weiji.rules.evaluate import Context, done_in
from weiji.rules.facts import DueItem


def evaluate(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["elderly_checkup"]
    if not cfg.enabled or ctx.age < cfg["min_age_years"]:
        return
    person, d = ctx.person, ctx.d
    if person.residency == "inflow":
        if person.inflow_date is None or person.inflow_date > add_months(d, -cfg["migrant_months"]):
            return
    start, end = date(d.year, 1, 1), date(d.year, 12, 31)
    if done_in(ctx.events("elderly_checkup"), start, None):
        return
    yield ctx.item("elderly_checkup", cfg, start, end)
