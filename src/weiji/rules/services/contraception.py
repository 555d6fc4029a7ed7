"""避孕节育服务 / 药具发放: married mothers of reproductive age not protected on D."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.evaluate import Context
from weiji.rules.facts import DueItem
from weiji.rules.terms import protected_from


def evaluate(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["contraception_service"]
    if not cfg.enabled or not ctx.is_woman_of_reproductive_age or not ctx.is_married:
        return
    district, d = ctx.district, ctx.d
    n_children = 0
    for child_id in district.children.get(ctx.person.local_id, ()):
        child = district.persons.get(child_id)
        if child is not None and child.birth_date <= d:
            n_children += 1
    if n_children < cfg["min_children"] or ctx.current is not None:
        return
    recent = d - timedelta(days=cfg["recent_outcome_days"])
    if any(ev.date > recent for ev in ctx.events("pregnancy_outcome")):
        return
    m = ctx.marriage
    spouse_events = district.events.get(m.spouse, ()) if m is not None and m.spouse else ()
    if protected_from(
        ctx.events("contraception"), spouse_events, d, short_acting_days=cfg["short_acting_days"]
    ):
        return
    yield ctx.item("contraception_service", cfg, d, ctx.e)
