"""Org-unit scope: which units, persons and rows a user may see.

Every listing in the product — pages, API, exports — must go through these functions.

* A user is bound to an org unit and sees that unit's subtree (``OrgUnit.path`` prefix).
* A facility user (``facility_staff`` with ``User.facility`` set) sees the villages its
  facility serves: the villages under its ``Catchment`` units, except those served more
  specifically by another facility (the nearest catchment unit on a village's path wins).
  A facility without any catchment (a village clinic) falls back to the user's org unit.
* A superuser sees everything; an unbound user sees nothing.

Stable API (other apps call it):

``scope_units(user) -> QuerySet[OrgUnit]``
    every unit the user may see.
``scope_villages(user) -> QuerySet[OrgUnit]``
    the villages among them.
``scope_filter(user, qs, village_field="village") -> QuerySet``
    ``qs`` restricted to rows whose ``village_field`` (a FK to a village OrgUnit, or a
    lookup path such as ``"person__village"``) is in scope.
``scope_persons(user, qs=None) -> QuerySet[Person]``
    persons managed by a village in scope.
``scope_contains(user, unit_code) -> bool``
    whether one unit is in scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from weiji.orgunits.models import Catchment, OrgUnit, OrgUnitLevel

__all__ = [
    "scope_contains",
    "scope_filter",
    "scope_persons",
    "scope_units",
    "scope_villages",
]


def _facility_unit_codes(facility_id: str) -> list[str] | None:
    """Units served by a facility: its catchment subtrees minus deeper claims of others.

    ``None`` when the facility has no catchment at all (e.g. a village clinic).
    """
    catchments = list(
        Catchment.objects.select_related("orgunit").values_list("facility_id", "orgunit__path")
    )
    own = [path for fid, path in catchments if fid == facility_id and path]
    if not own:
        return None
    claims = {path: fid for fid, path in catchments if path}
    prefix_q = Q()
    for path in own:
        prefix_q |= Q(path__startswith=path)
    codes = []
    for code, path in OrgUnit.objects.filter(prefix_q).values_list("code", "path"):
        # The nearest (longest) catchment path above this unit decides who serves it.
        best = max((p for p in claims if path.startswith(p)), key=len)
        if claims[best] == facility_id:
            codes.append(code)
    return codes


def scope_units(user) -> QuerySet[OrgUnit]:
    """Every org unit the user may see."""
    units = OrgUnit.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_superuser:
        return units
    facility_id = getattr(user, "facility_id", None)
    if user.role == "facility_staff" and facility_id:
        served = _facility_unit_codes(facility_id)
        if served is not None:
            return units.filter(code__in=served)
    if user.orgunit_id is None:
        return units.none()
    path = OrgUnit.objects.filter(code=user.orgunit_id).values_list("path", flat=True).first()
    if not path:
        return units.filter(code=user.orgunit_id)
    return units.filter(path__startswith=path)


def scope_villages(user) -> QuerySet[OrgUnit]:
    """The villages the user may see."""
    return scope_units(user).filter(level=OrgUnitLevel.VILLAGE)


def scope_filter(user, qs: QuerySet, village_field: str = "village") -> QuerySet:
    """Restrict ``qs`` to rows whose ``village_field`` is a village in the user's scope."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return qs
    return qs.filter(**{f"{village_field}__in": scope_villages(user).values("code")})


def scope_persons(user, qs: QuerySet | None = None) -> QuerySet:
    """Persons (``qs`` or all persons) managed by a village in the user's scope."""
    if qs is None:
        from weiji.registry.models import Person

        qs = Person.objects.all()
    return scope_filter(user, qs, "village")


def scope_contains(user, unit_code: str | None) -> bool:
    """Whether the unit with this code is in the user's scope."""
    if not unit_code:
        return False
    return scope_units(user).filter(code=unit_code).exists()
