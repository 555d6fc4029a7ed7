"""新生儿家庭访视 and 0–6岁儿童健康检查 (newborn_visit, child_checkup_<age>)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.catalogue import target_date
from weiji.rules.evaluate import Context, done_in
from weiji.rules.facts import DueItem


def evaluate(ctx: Context) -> Iterator[DueItem]:
    yield from _newborn(ctx)
    yield from _checkups(ctx)


def _newborn(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["newborn_visit"]
    if not cfg.enabled:
        return
    b = ctx.person.birth_date
    expires = b + timedelta(days=cfg["expires_days"])
    if ctx.d >= expires:
        return
    x = b + timedelta(days=ctx.term("default_discharge_days"))
    basis: tuple[str, ...] = ()
    mother = ctx.person.mother
    if mother:
        birth = None
        for ev in ctx.district.events.get(mother, ()):
            if ev.date == b and ev.type == "pregnancy_outcome" and ev.outcome == "live_birth":
                birth = ev  # the latest by event_id (events are in (date, event_id) order)
        if birth is not None:
            basis = (birth.event_id,)
            if birth.discharge_date is not None:
                x = birth.discharge_date
            else:
                x = birth.date + timedelta(days=ctx.term("default_discharge_days"))
    if not ctx.listed(x, expires):
        return
    if done_in(ctx.events("newborn_visit"), b, b + timedelta(days=cfg["done_days"])):
        return
    yield ctx.item("newborn_visit", cfg, x, x + timedelta(days=cfg["window_days"]), basis)


def _checkups(ctx: Context) -> Iterator[DueItem]:
    cfg = ctx.cat.services["child_checkup"]
    if not cfg.enabled:
        return
    b = ctx.person.birth_date
    targets = ctx.cat.child_checkups
    tail = timedelta(days=cfg["last_expires_days"])
    if ctx.d >= target_date(b, targets[-1]) + tail:
        return
    before = timedelta(days=cfg["done_before_days"])
    dates = [target_date(b, t) for t in targets]
    checkups = ctx.events("child_checkup")
    for i, target in enumerate(targets):
        t = dates[i]
        if t > ctx.e:
            break
        if i + 1 < len(targets):
            expires = dates[i + 1]
            done_end = dates[i + 1] - before - timedelta(days=1)
        else:
            expires = t + tail
            done_end = t + tail - timedelta(days=1)
        if not ctx.listed(t, expires):
            continue
        if done_in(checkups, t - before, done_end):
            continue
        yield ctx.item(target.service, cfg, t, t + timedelta(days=target.span))
