"""Life events and service records, stored once and shared by every role (一次服务，结果共享)."""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    MARRIAGE = "marriage", "结婚登记"
    PRECONCEPTION_CHECKUP = "preconception_checkup", "免费孕前优生健康检查"
    FOLIC_ACID = "folic_acid", "增补叶酸发放"
    PREGNANCY_REGISTERED = "pregnancy_registered", "孕情登记"
    MATERNAL_HANDBOOK = "maternal_handbook", "早孕建册"
    ANTENATAL_VISIT = "antenatal_visit", "产前检查"
    PREGNANCY_OUTCOME = "pregnancy_outcome", "妊娠结局"
    POSTPARTUM_VISIT = "postpartum_visit", "产后访视"
    POSTPARTUM_42D = "postpartum_42d", "产后42天健康检查"
    NEWBORN_VISIT = "newborn_visit", "新生儿家庭访视"
    CHILD_CHECKUP = "child_checkup", "儿童健康检查"
    VACCINATION = "vaccination", "预防接种"
    CONTRACEPTION = "contraception", "避孕节育措施/药具发放"
    BIRTH_REGISTRATION = "birth_registration", "生育登记"
    HEALTH_CHECKUP = "health_checkup", "健康查体"
    HOME_VISIT = "home_visit", "入户访查"
    ELDERLY_CHECKUP = "elderly_checkup", "老年人健康体检"
    CHRONIC_DIAGNOSIS = "chronic_diagnosis", "慢病登记管理"
    CHRONIC_FOLLOWUP = "chronic_followup", "慢病随访"


class Outcome(models.TextChoices):
    LIVE_BIRTH = "live_birth", "活产"
    STILLBIRTH = "stillbirth", "死产"
    MISCARRIAGE = "miscarriage", "自然流产"
    INDUCED_ABORTION = "induced_abortion", "人工流产"


class Method(models.TextChoices):
    IUD = "iud", "宫内节育器"
    IMPLANT = "implant", "皮下埋植"
    STERILIZATION = "sterilization", "绝育术"
    INJECTION = "injection", "避孕针"
    PILL = "pill", "口服避孕药"
    CONDOM = "condom", "避孕套"
    REMOVED = "removed", "取出/复通"


class Condition(models.TextChoices):
    HYPERTENSION = "hypertension", "高血压"
    DIABETES = "diabetes", "2型糖尿病"


# Columns an event of a type must carry (besides event_id, person, type, date).
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    EventType.PREGNANCY_REGISTERED: ("lmp",),
    EventType.PREGNANCY_OUTCOME: ("outcome",),
    EventType.VACCINATION: ("vaccine", "dose"),
    EventType.CONTRACEPTION: ("method",),
    EventType.CHRONIC_FOLLOWUP: ("condition",),
    EventType.CHRONIC_DIAGNOSIS: ("condition",),
}


class Event(models.Model):
    # Unique through Meta.constraints (no extra LIKE index on PostgreSQL); the FK columns
    # below are covered by the composite indexes, so they get no index of their own:
    # fewer indexes keep bulk loads fast.
    event_id = models.CharField(max_length=60)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="events", db_constraint=False,
        db_index=False,
    )
    type = models.CharField(max_length=24, choices=EventType.choices)
    date = models.DateField()
    lmp = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    discharge_date = models.DateField(null=True, blank=True)
    vaccine = models.CharField(max_length=20, blank=True, default="")
    dose = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices, blank=True, default="")
    condition = models.CharField(max_length=16, choices=Condition.choices, blank=True, default="")
    partner = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False, db_index=False,
    )
    facility = models.ForeignKey(
        "orgunits.Facility", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="events", db_constraint=False, db_index=False,
    )
    performed_by = models.CharField(max_length=60, blank=True, default="")
    signed_by = models.CharField(max_length=60, blank=True, default="")
    source_system = models.CharField(max_length=60, blank=True, default="")
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False, db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id"], name="event_event_id_unique")]
        indexes = [
            models.Index(fields=["person", "type", "date"], name="event_person_type_date"),
            models.Index(fields=["type", "date"], name="event_type_date"),
            models.Index(fields=["partner"], name="event_partner",
                         condition=models.Q(partner__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} {self.date}"


class PeriodLock(models.Model):
    """A town's month whose monthly report form was approved (审核通过): its service records
    can no longer be added or changed through the web forms, so the approved figures hold.
    Bundle loads and outside sources are not blocked: they are the systems of record."""

    town = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField()
    locked_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="periodlock_town_month")
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m}"
