"""预防接种 per the immunization schedule version of the child's birth date (vaccine_<code>_<dose>)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from weiji.rules.dates import add_months, add_years
from weiji.rules.evaluate import Context
from weiji.rules.facts import DueItem


def evaluate(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["vaccine"]
    if not cfg.enabled:
        return
    b = ctx.person.birth_date
    age_limit = add_years(b, cfg["max_age_years"])
    if ctx.d >= age_limit:
        return
    # The earliest record of each (vaccine, dose) counts.
    recorded: dict[tuple[str, int], tuple[date, str]] = {}
    for ev in ctx.events("vaccination"):
        if ev.dose is not None:
            recorded.setdefault((ev.vaccine, ev.dose), (ev.date, ev.event_id))
    window = timedelta(days=cfg["window_days"])
    for dose in ctx.cat.schedule.doses_for(b):
        key = (dose.vaccine, dose.dose)
        if key in recorded:
            continue
        eligible = add_months(b, dose.age_months)
        basis: tuple[str, ...] = ()
        if dose.dose > 1:
            previous = recorded.get((dose.vaccine, dose.dose - 1))
            if previous is None:
                continue  # listed only once the previous dose is recorded
            eligible = max(eligible, previous[0] + timedelta(days=dose.min_interval_days))
            basis = (previous[1],)
        expires = min(add_months(b, dose.max_age_months), age_limit)
        if ctx.listed(eligible, expires):
            yield ctx.item(
                f"vaccine_{dose.vaccine}_{dose.dose}", cfg, eligible, eligible + window, basis
            )
