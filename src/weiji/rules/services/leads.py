"""孕情不明原因消失 (两非线索): open pregnancies long past their EDD (pregnancy_followup_lost)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from weiji.rules.evaluate import Context
from weiji.rules.facts import DueItem


def evaluate(ctx: Context) -> Iterator[DueItem]:
    if "pregnancy_registered" not in ctx.known:
        return
    cfg = ctx.cat.services["pregnancy_followup_lost"]
    if not cfg.enabled:
        return
    after = timedelta(days=ctx.term("lost_after_edd_days"))
    for preg in ctx.pregnancies:
        if not preg.is_open:
            continue
        edd = ctx.edd(preg)
        if ctx.d <= edd + after:
            continue
        due = edd + after + timedelta(days=1)
        if ctx.listed(due, due + timedelta(days=cfg["listed_days"])):
            yield ctx.item(
                "pregnancy_followup_lost", cfg, due, due, basis=preg.registrations, status="lead"
            )
