"""产后访视 and 产后42天健康检查 of the latest delivery (postpartum_visit, postpartum_42d)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.evaluate import Context, done_in
from weiji.rules.facts import DueItem
from weiji.rules.terms import DELIVERY_OUTCOMES


def evaluate(ctx: Context) -> Iterator[DueItem]:
    delivery = None
    for ev in ctx.events("pregnancy_outcome"):
        if ev.outcome in DELIVERY_OUTCOMES:
            delivery = ev  # latest by (date, event_id)
    if delivery is None:
        return
    d = delivery.date
    x = delivery.discharge_date or d + timedelta(days=ctx.term("default_discharge_days"))
    basis = (delivery.event_id,)
    cfg = ctx.cat.services["postpartum_visit"]
    if cfg.enabled:
        expires = x + timedelta(days=cfg["expires_days"])
        if ctx.listed(x, expires) and not done_in(
            ctx.events("postpartum_visit"), x, x + timedelta(days=cfg["done_days"])
        ):
            yield ctx.item("postpartum_visit", cfg, x, x + timedelta(days=cfg["window_days"]), basis)
    cfg = ctx.cat.services["postpartum_42d"]
    if cfg.enabled:
        start = d + timedelta(days=cfg["start_days"])
        expires = d + timedelta(days=cfg["expires_days"])
        if ctx.listed(start, expires) and not done_in(
            ctx.events("postpartum_42d"),
            d + timedelta(days=cfg["done_from_days"]), d + timedelta(days=cfg["done_to_days"]),
        ):
            yield ctx.item("postpartum_42d", cfg, start, d + timedelta(days=cfg["end_days"]), basis)
