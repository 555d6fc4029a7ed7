"""Org-unit reads, always within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from weiji.accounts.scope import scope_persons, scope_units
from weiji.orgunits.models import OrgUnit


@dataclass
class TreeRow:
    unit: OrgUnit
    depth: int
    persons: int | None


def orgunit_tree(*, user) -> list[TreeRow]:
    """The units in scope in tree order (by path), with the person count of each village."""
    units = list(scope_units(user).order_by("path", "code"))
    counts = dict(
        scope_persons(user).filter(merged_into__isnull=True, death_date__isnull=True)
        .values_list("village").annotate(n=Count("pk")).values_list("village", "n")
    )
    top = min((u.path.count("/") for u in units), default=0)
    return [
        TreeRow(u, max(0, u.path.count("/") - top), counts.get(u.code) if u.level == "village"
                else None)
        for u in units
    ]


def orgunit_villages(*, user):
    """The villages in scope, for choosing one in a form."""
    return scope_units(user).filter(level="village").order_by("path", "code")
