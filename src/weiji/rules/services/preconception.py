"""孕前优生健康检查 and 增补叶酸: newly married women (preconception_checkup, folic_acid)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.evaluate import Context, done_in
from weiji.rules.facts import DueItem


def _recent_marriage(ctx: Context, within_days: int):
    """The marriage m when married on D with m ∈ (D − within, D], else None."""
    if not ctx.is_married:
        return None
    m = ctx.marriage
    if m is None or m.date <= ctx.d - timedelta(days=within_days):
        return None
    return m


def evaluate(ctx: Context) -> Iterator[DueItem]:
    if not ctx.is_woman_of_reproductive_age:
        return
    yield from _preconception(ctx)
    yield from _folic_acid(ctx)


def _preconception(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["preconception_checkup"]
    if not cfg.enabled:
        return
    m = _recent_marriage(ctx, cfg["marriage_within_days"])
    if m is None or any(p.lmp >= m.date for p in ctx.pregnancies):
        return
    due_until = m.date + timedelta(days=cfg["window_days"])
    expires = m.date + timedelta(days=cfg["expires_days"])
    if not ctx.listed(m.date, expires):
        return
    if done_in(ctx.events("preconception_checkup"), m.date, ctx.d):
        return
    if m.spouse:
        spouse_events = ctx.district.events.get(m.spouse, ())
        checks = [ev for ev in spouse_events if ev.type == "preconception_checkup"]
        if done_in(checks, m.date, ctx.d):
            return
    yield ctx.item("preconception_checkup", cfg, m.date, due_until, basis=(m.event_id,))


def _folic_acid(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["folic_acid"]
    if not cfg.enabled:
        return
    current = ctx.current
    basis: tuple[str, ...] = ()
    if current is None:
        m = _recent_marriage(ctx, cfg["marriage_within_days"])
        if m is None:
            return
        basis = (m.event_id,)
    elif (ctx.d - current.lmp).days < cfg["max_gestational_age_days"]:
        basis = current.registrations
    else:
        return
    last_day = timedelta(days=cfg["supply_days"] - 1)
    if any(f.date + last_day >= ctx.e for f in ctx.events("folic_acid")):
        return
    yield ctx.item("folic_acid", cfg, ctx.d, ctx.e, basis=basis)
