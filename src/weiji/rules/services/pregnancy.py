"""早孕建册 and 产前检查 of the current pregnancy (early_pregnancy_registration, anc_2–anc_5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.evaluate import Context, done_in
from weiji.rules.facts import DueItem

ANC_SERVICES = ("anc_2", "anc_3", "anc_4", "anc_5")


def evaluate(ctx: Context) -> Iterator[DueItem]:
    if "pregnancy_registered" not in ctx.known:
        return
    preg = ctx.current
    if preg is None:
        return
    lmp = preg.lmp
    cfg = ctx.cat.services["early_pregnancy_registration"]
    if cfg.enabled and not done_in(ctx.events("maternal_handbook"), lmp, None):
        # expires when it is no longer the current pregnancy: no date
        yield ctx.item(
            "early_pregnancy_registration", cfg, lmp, lmp + timedelta(days=cfg["window_days"]),
            basis=preg.registrations,
        )
    visits = ctx.events("antenatal_visit")
    for service in ANC_SERVICES:
        cfg = ctx.cat.services[service]
        if not cfg.enabled:
            continue
        start = lmp + timedelta(days=cfg["start_days"])
        end = lmp + timedelta(days=cfg["end_days"])
        expires = lmp + timedelta(days=cfg["expires_days"]) if cfg["expires_days"] else None
        if ctx.listed(start, expires) and not done_in(visits, start, end):
            yield ctx.item(service, cfg, start, end, basis=preg.registrations)
