"""Users, their role and the org unit whose subtree they may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区卫计局管理员"
    TOWN_OFFICE = "town_office", "镇卫计办"
    FACILITY_STAFF = "facility_staff", "卫生院/社区卫生服务中心"
    VILLAGE_WORKER = "village_worker", "村卫生计生专干"
    VILLAGE_DOCTOR = "village_doctor", "乡村医生"


# Roles that may see full ID numbers and phones on a person's own page.
FULL_RECORD_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.TOWN_OFFICE, Role.FACILITY_STAFF, Role.VILLAGE_WORKER,
     Role.VILLAGE_DOCTOR}
)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VILLAGE_WORKER)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users", db_constraint=False,
    )
    facility = models.ForeignKey(
        "orgunits.Facility", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="users", db_constraint=False,
    )
    phone = models.CharField(max_length=20, blank=True, default="")
    display_name = models.CharField(max_length=60, blank=True, default="")

    def __str__(self) -> str:
        return self.display_name or self.username


class LoginFailure(models.Model):
    """Failed logins per username and address, for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"
