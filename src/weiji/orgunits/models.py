"""Administrative units (county → town → zone → village) and service facilities."""

from __future__ import annotations

from django.db import models


class OrgUnitLevel(models.TextChoices):
    COUNTY = "county", "区县"
    TOWN = "town", "乡镇/街道"
    ZONE = "zone", "管区"
    VILLAGE = "village", "村/社区"


URBAN_CODES = frozenset({"111", "112", "121", "122", "123"})
RURAL_CODES = frozenset({"210", "220"})


class OrgUnit(models.Model):
    """One unit of the hierarchy, keyed by its GB/T 2260 / 统计用区划代码 code."""

    code = models.CharField(primary_key=True, max_length=20)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=OrgUnitLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        db_constraint=False,
    )
    urban_rural = models.CharField(max_length=3, blank=True, default="")
    # Materialized path of codes from the county down to this unit, "/c/t/z/v/",
    # so that a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_urban(self) -> bool:
        return self.urban_rural.startswith("1")


class FacilityKind(models.TextChoices):
    HEALTH_CENTER = "health_center", "乡镇卫生院"
    COMMUNITY_CENTER = "community_center", "社区卫生服务中心"
    VILLAGE_CLINIC = "village_clinic", "村卫生室"
    MCH_CENTER = "mch_center", "妇幼保健计划生育服务中心"
    HOSPITAL = "hospital", "医院"


# Kinds that can be the responsible facility of a village (village clinics never are).
RESPONSIBLE_KINDS = (FacilityKind.HEALTH_CENTER, FacilityKind.COMMUNITY_CENTER)


class Facility(models.Model):
    code = models.CharField(primary_key=True, max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=FacilityKind.choices)
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="facilities", db_constraint=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Catchment(models.Model):
    """A unit (town, zone or village) whose residents a facility is responsible for."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="catchments")
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="catchments", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "orgunit"], name="catchment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} → {self.orgunit_id}"
