"""Writes: computing and caching indicator periods, saving a district's own definitions."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from weiji.indicators.blocks import DistrictIndex
from weiji.indicators.definitions import Indicator, compile_definition
from weiji.indicators.engine import evaluate_many
from weiji.indicators.models import (
    IndicatorDefinition,
    IndicatorPeriod,
    ReportForm,
    ReportFormEvent,
    ReportStatus,
)
from weiji.indicators.output import rolled_counts
from weiji.indicators.pruning import event_needs
from weiji.indicators.selectors import active_indicators, definitions_hash
from weiji.indicators.snapshot import district_facts, period_fingerprints

# Seconds spent in each step of the last recomputation (read by bench/indicators.py).
LAST_TIMINGS: dict[str, float] = {}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the evaluation workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def indicator_periods_refresh(
    *, periods: Iterable[tuple[date, date]], indicators: list[Indicator] | None = None,
    force: bool = False,
) -> dict[tuple[date, date], IndicatorPeriod]:
    """Make the cache of each period current; recompute only periods whose data changed.

    A period is recomputed when the fingerprint of its data (events dated ≤ its end,
    persons, units, definitions) differs from the one it was computed with. All stale
    periods share one snapshot of the register.
    """
    indicators = indicators or active_indicators()
    dhash = definitions_hash(indicators)
    result: dict[tuple[date, date], IndicatorPeriod] = {}
    stale: list[tuple[tuple[date, date], str]] = []
    periods = list(periods)
    for p1, p2 in periods:
        if p1 > p2:
            raise ValueError(f"期间起点晚于终点 / period start {p1} is after its end {p2}")
    fingerprints = period_fingerprints(period_ends=[p2 for _, p2 in periods],
                                       definitions_hash=dhash)
    for p1, p2 in periods:
        fingerprint = fingerprints[p2]
        cached = IndicatorPeriod.objects.filter(period_start=p1, period_end=p2).first()
        if cached is not None and cached.fingerprint == fingerprint and not force:
            result[(p1, p2)] = cached
        else:
            stale.append(((p1, p2), fingerprint))
    if not stale:
        return result
    # Millions of long-lived facts: the cyclic collector would walk them again and again
    # while they are built (they hold no cycles it could free) and, in the forked workers,
    # touch every object's header (copying the shared pages). Paused while they are built,
    # frozen out of its sight while evaluating; everything is restored afterwards.
    # (Nothing is frozen when the process froze objects of its own: it keeps its own.)
    collecting, freeze = gc.isenabled(), gc.get_freeze_count() == 0
    gc.disable()
    try:
        return _recompute(result, stale, indicators, freeze=freeze)
    finally:
        if freeze:
            gc.unfreeze()
        if collecting:
            gc.enable()


def _recompute(result: dict, stale: list, indicators: list[Indicator], *, freeze: bool
               ) -> dict[tuple[date, date], IndicatorPeriod]:
    clock, cpu = time.monotonic(), _cpu()
    needs = event_needs(indicators, min(p[0][0] for p in stale), max(p[0][1] for p in stale))
    district = district_facts(needs=needs)
    LAST_TIMINGS["load"], LAST_TIMINGS["cpu_load"] = time.monotonic() - clock, _cpu() - cpu
    clock, cpu = time.monotonic(), _cpu()
    index = DistrictIndex(district)
    LAST_TIMINGS["index"], LAST_TIMINGS["cpu_index"] = time.monotonic() - clock, _cpu() - cpu
    metas = [i.meta for i in indicators]
    if freeze:
        gc.freeze()
    clock, cpu = time.monotonic(), _cpu()

    def finish(counts: dict) -> dict[str, list]:  # in the workers, in parallel
        return _cells(rolled_counts(district, metas, counts, zones=True))

    cells = evaluate_many(index, indicators, [period for period, _ in stale], finish=finish)
    LAST_TIMINGS["evaluate"] = time.monotonic() - clock
    LAST_TIMINGS["cpu_evaluate"] = _cpu() - cpu
    seconds = LAST_TIMINGS["evaluate"] / len(stale)
    clock, cpu = time.monotonic(), _cpu()
    for (p1, p2), fingerprint in stale:
        result[(p1, p2)] = _store(p1, p2, fingerprint, cells[(p1, p2)], seconds)
    LAST_TIMINGS["store"], LAST_TIMINGS["cpu_store"] = time.monotonic() - clock, _cpu() - cpu
    LAST_TIMINGS["events_read"] = sum(len(v) for v in district.events.values())
    return result


def _cells(rolled: dict) -> dict[str, list]:
    """The cached form of a period's rolled-up counts: per indicator, sorted
    ``[unit, population, numerator, denominator]`` rows that are not both zero."""
    cells: dict[str, list] = {}
    for code, (num, den) in rolled.items():
        cells[code] = sorted(
            [key[0], key[1], num.get(key, 0), den.get(key, 0)]
            for key in set(num) | set(den) if num.get(key, 0) or den.get(key, 0)
        )
    return cells


@transaction.atomic
def _store(p1: date, p2: date, fingerprint: str, cells: dict[str, list], seconds: float
           ) -> IndicatorPeriod:
    period, _ = IndicatorPeriod.objects.update_or_create(
        period_start=p1, period_end=p2,
        defaults={"fingerprint": fingerprint, "seconds": seconds, "counts": cells},
    )
    return period


def indicator_definition_save(*, code: str, name_zh: str, spec: dict, active: bool = True
                              ) -> IndicatorDefinition:
    """Add or change a district's own indicator; the spec is checked by compiling it."""
    compile_definition({**spec, "code": code, "name_zh": name_zh})
    row, _ = IndicatorDefinition.objects.update_or_create(
        code=code, defaults={"name_zh": name_zh, "spec": spec, "active": active}
    )
    return row


# ---------------------------------------------------------------- monthly report forms
class ReportFormError(ValueError):
    """A report-form action that is not allowed (wrong state, role or scope)."""


def _actor(user) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def _is_district(user) -> bool:
    from weiji.accounts.models import Role

    return bool(user.is_superuser or user.role == Role.DISTRICT_ADMIN)


def _check_town_user(user, form_unit_code: str) -> None:
    from weiji.accounts.models import Role
    from weiji.accounts.scope import scope_contains

    if _is_district(user):
        return
    if user.role != Role.TOWN_OFFICE or not scope_contains(user, form_unit_code):
        raise ReportFormError("只有本镇卫计办可以填报 / only the town office of this town may do this")


def _transition(form: ReportForm, *, user, action: str, to_status: str, comment: str = "",
                request=None) -> ReportForm:
    from weiji.core.audit import AuditAction, audit_record

    from_status = form.status
    form.status = to_status
    form.save()
    ReportFormEvent.objects.create(form=form, action=action, from_status=from_status,
                                   to_status=to_status, user=user, username=_actor(user),
                                   comment=comment)
    audit_record(user=user, action=AuditAction.UPDATE, obj=form, request=request, detail={
        "report_form": f"{form.unit_id} {form.month:%Y-%m}", "action": action,
        "from": from_status, "to": to_status, "comment": comment,
    })
    return form


@transaction.atomic
def reportform_prepare(*, user, unit_code: str, month: date, request=None) -> ReportForm:
    """Create or refresh a town's form for the month from the records (draft or returned)."""
    from django.utils import timezone

    from weiji.indicators.reportforms import service_counts
    from weiji.orgunits.models import OrgUnit, OrgUnitLevel

    unit = OrgUnit.objects.filter(code=unit_code, level=OrgUnitLevel.TOWN).first()
    if unit is None:
        raise ReportFormError(f"没有这个乡镇 / no such town: {unit_code}")
    _check_town_user(user, unit.code)
    month = month.replace(day=1)
    form, _ = ReportForm.objects.select_for_update().get_or_create(unit=unit, month=month)
    if form.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ReportFormError(
            f"月报表{form.get_status_display()}，不能重新生成 / the form is {form.status}: "
            "it can no longer be regenerated"
        )
    form.data = service_counts(unit=unit, month=month)
    form.prepared_at = timezone.now()
    return _transition(form, user=user, action="prepare", to_status=form.status, request=request)


@transaction.atomic
def reportform_submit(*, user, form: ReportForm, prepared_by: str, request=None) -> ReportForm:
    """The town office submits its form to the district (填报人 required)."""
    from django.utils import timezone

    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _check_town_user(user, form.unit_id)
    if form.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED) or not form.data:
        raise ReportFormError("只有已生成的草稿或退回的月报表可以上报 / only a prepared draft "
                              "or a returned form can be submitted")
    if not prepared_by.strip():
        raise ReportFormError("请填写填报人 / enter who prepared the form (填报人)")
    form.prepared_by = prepared_by.strip()[:60]
    form.submitted_at = timezone.now()
    return _transition(form, user=user, action="submit", to_status=ReportStatus.SUBMITTED,
                       request=request)


@transaction.atomic
def reportform_review(*, user, form: ReportForm, approve: bool, comment: str = "",
                      request=None) -> ReportForm:
    """The district approves (and locks) a submitted form, or returns it with a comment."""
    from django.utils import timezone

    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    if not _is_district(user):
        raise ReportFormError("只有区卫计局可以审核 / only the district may review forms")
    if form.status != ReportStatus.SUBMITTED:
        raise ReportFormError("只有已上报的月报表可以审核 / only a submitted form can be reviewed")
    if not approve and not comment.strip():
        raise ReportFormError("退回时请写明原因 / say why the form is returned")
    form.reviewed_by = _actor(user)
    form.reviewed_at = timezone.now()
    form.review_comment = comment.strip()
    if approve:
        from weiji.records.locks import period_lock

        form.locked = True
        period_lock(town_code=form.unit_id, month=form.month, locked_by=_actor(user))
        return _transition(form, user=user, action="approve", to_status=ReportStatus.APPROVED,
                           comment=comment.strip(), request=request)
    return _transition(form, user=user, action="return", to_status=ReportStatus.RETURNED,
                       comment=comment.strip(), request=request)


@transaction.atomic
def scoring_scheme_save(*, user, name: str, items: list[dict], request=None):
    """Make a new scoring scheme the district's active one (the old ones stay, inactive)."""
    from weiji.core.audit import AuditAction, audit_record
    from weiji.indicators.models import ScoringScheme
    from weiji.indicators.scoring import SchemeError, check_items

    if not _is_district(user):
        raise SchemeError("只有区卫计局可以修改考核方案 / only the district may change the scheme")
    if not name.strip():
        raise SchemeError("请填写方案名称 / give the scheme a name")
    check_items(items)
    ScoringScheme.objects.filter(active=True).update(active=False)
    scheme = ScoringScheme.objects.create(name=name.strip(), items=items, active=True,
                                          updated_by=_actor(user))
    audit_record(user=user, action=AuditAction.CREATE, obj=scheme, request=request,
                 detail={"scoring_scheme": scheme.name, "items": len(items)})
    return scheme
