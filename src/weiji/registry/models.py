"""Households, persons and their residency history."""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


class Residency(models.TextChoices):
    REGISTERED_PRESENT = "registered_present", "户籍常住"
    REGISTERED_ABSENT = "registered_absent", "户在人不在"
    INFLOW = "inflow", "流入人口"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "10", "未婚"
    MARRIED = "20", "已婚"
    FIRST_MARRIAGE = "21", "初婚"
    REMARRIED = "22", "再婚"
    REMARRIED_FORMER = "23", "复婚"
    WIDOWED = "30", "丧偶"
    DIVORCED = "40", "离婚"
    NOT_STATED = "90", "未说明的婚姻状况"


MARRIED_CODES = frozenset({"20", "21", "22", "23"})


class IdStatus(models.TextChoices):
    NONE = "none", "无身份证号"
    VALID = "valid", "有效"
    INVALID = "invalid", "无效（待更正）"
    INCONSISTENT = "inconsistent", "与出生日期/性别不一致"


class Household(models.Model):
    code = models.CharField(max_length=40, unique=True)
    village = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="households", db_constraint=False,
    )
    address = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    local_id = models.CharField(max_length=40, unique=True)
    id_number = models.CharField(max_length=40, blank=True, default="", db_index=True)
    id_status = models.CharField(max_length=12, choices=IdStatus.choices, default=IdStatus.NONE)
    id_issue = models.CharField(max_length=200, blank=True, default="")
    name = models.CharField(max_length=60)
    name_pinyin = models.CharField(max_length=200, blank=True, default="", db_index=True)
    name_initials = models.CharField(max_length=20, blank=True, default="", db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    phone = models.CharField(max_length=20, blank=True, default="", db_index=True)
    # The village that manages the person now (current state; history in ResidencyPeriod).
    village = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="persons",
        db_constraint=False,
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
        db_constraint=False,
    )
    residency = models.CharField(max_length=20, choices=Residency.choices)
    inflow_date = models.DateField(null=True, blank=True)
    hukou_division = models.CharField(max_length=6, blank=True, default="")
    marital_status = models.CharField(
        max_length=2, choices=MaritalStatus.choices, blank=True, default=""
    )
    mother = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        db_constraint=False,
    )
    death_date = models.DateField(null=True, blank=True)
    # Set when merged into another person (reconcile); the merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["village", "residency"], name="person_village_res"),
            models.Index(fields=["birth_date", "name"], name="person_birth_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.local_id})"


class ResidencyChange(models.TextChoices):
    LOADED = "loaded", "导入"
    REGISTERED = "registered", "登记"
    MOVED = "moved", "村间迁移"
    MOVED_OUT = "moved_out", "迁出/外出"
    INFLOW = "inflow", "流入"
    HUKOU = "hukou", "户籍登记"
    CORRECTED = "corrected", "更正"


class ResidencyPeriod(models.Model):
    """Who manages a person, and with which residency, from a date (history, not a field).

    A person's periods do not overlap: ``valid_from`` is inclusive, ``valid_to`` exclusive,
    ``None`` on either side means open.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residency_periods")
    village = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    residency = models.CharField(max_length=20, choices=Residency.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    change = models.CharField(max_length=12, choices=ResidencyChange.choices)
    note = models.CharField(max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "valid_from"]
        indexes = [models.Index(fields=["person", "valid_from"], name="residency_person_from")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.village_id} {self.residency} from {self.valid_from}"
