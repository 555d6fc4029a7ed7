"""Locked periods: a town's approved month closes its service records to web edits."""

from __future__ import annotations

from datetime import date

from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.records.models import PeriodLock


def period_lock(*, town_code: str, month: date, locked_by: str = "") -> PeriodLock:
    """Lock a town's month (idempotent)."""
    lock, _ = PeriodLock.objects.get_or_create(
        town_id=town_code, month=month.replace(day=1), defaults={"locked_by": locked_by[:150]}
    )
    return lock


def period_is_locked(*, village_code: str, day: date) -> bool:
    """Whether the month of ``day`` is locked for the town the village belongs to."""
    path = OrgUnit.objects.filter(code=village_code).values_list("path", flat=True).first()
    if not path:
        return False
    codes = path.strip("/").split("/")
    towns = OrgUnit.objects.filter(code__in=codes, level=OrgUnitLevel.TOWN)
    return PeriodLock.objects.filter(town__in=towns, month=day.replace(day=1)).exists()
