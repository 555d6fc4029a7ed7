"""Time-boxed service campaigns (集中服务活动) and the migrant exchange inbox (流动人口月信息通报)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from weiji.campaigns.definition import CampaignDefinition, Threshold


class Campaign(models.Model):
    """One campaign: dates, target rule with parameters, thresholds, sites and services."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    start = models.DateField()
    end = models.DateField()
    target_rule = models.CharField(max_length=40)
    target_params = models.JSONField(default=dict, blank=True)
    rural_attendance = models.DecimalField(max_digits=5, decimal_places=4)
    rural_visit = models.DecimalField(max_digits=5, decimal_places=4)
    urban_attendance = models.DecimalField(max_digits=5, decimal_places=4)
    urban_visit = models.DecimalField(max_digits=5, decimal_places=4)
    services = models.JSONField(default=list, blank=True)
    # Unit codes whose villages take part (empty: every village).
    scope = models.JSONField(default=list, blank=True)
    # The second appointment reminder (预约提醒) goes out this many days before the end.
    reminder_days_before_end = models.PositiveSmallIntegerField(default=3)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def definition(self) -> CampaignDefinition:
        from datetime import date

        params = {k: (date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-"
                      else v) for k, v in self.target_params.items()}
        return CampaignDefinition(
            code=self.code, name=self.name, start=self.start, end=self.end,
            target_rule=self.target_rule, target_params=params,
            thresholds={
                "rural": Threshold(Decimal(self.rural_attendance), Decimal(self.rural_visit)),
                "urban": Threshold(Decimal(self.urban_attendance), Decimal(self.urban_visit)),
            },
            sites={s.orgunit_id: s.facility_id for s in self.sites.all()},
            services=tuple(self.services), scope=tuple(self.scope),
            reminder_days_before_end=self.reminder_days_before_end,
        )


class CampaignSite(models.Model):
    """The checkup site (a facility) assigned to a zone (管区) or a village."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sites")
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    facility = models.ForeignKey(
        "orgunits.Facility", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "orgunit"],
                                               name="campaign_site_unique")]

    def __str__(self) -> str:
        return f"{self.orgunit_id} → {self.facility_id}"


class CampaignTarget(models.Model):
    """A person on the campaign's target list (the rule evaluated on the start date)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    village = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "person"],
                                               name="campaign_target_unique")]
        indexes = [models.Index(fields=["campaign", "village"], name="campaign_target_village")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.person_id}"


class CampaignUpload(models.Model):
    """A day's results sheet uploaded by a site, with its row-level outcome."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="uploads")
    facility = models.ForeignKey(
        "orgunits.Facility", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    filename = models.CharField(max_length=200)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows_loaded}/{self.rows_read})"


class ExchangeStatus(models.TextChoices):
    SENT = "sent", "已下发"
    RECEIVED = "received", "已签收"
    RETURNED = "returned", "已反馈"


class ExchangeNotice(models.Model):
    """One town's monthly migrant lists, delivered to its health centre's inbox."""

    month = models.DateField(help_text="first day of the month reported on")
    town = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    facility = models.ForeignKey(
        "orgunits.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=ExchangeStatus.choices,
                              default=ExchangeStatus.SENT)
    counts = models.JSONField(default=dict, blank=True)
    generated_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "town"]
        constraints = [models.UniqueConstraint(fields=["month", "town"],
                                               name="exchange_notice_unique")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m}"


class ExchangeRow(models.Model):
    """One row of one of the notice's three lists."""

    notice = models.ForeignKey(ExchangeNotice, on_delete=models.CASCADE, related_name="rows")
    list_name = models.CharField(max_length=40)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    village = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    event = models.CharField(max_length=30, blank=True, default="")
    event_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["list_name", "village", "person__local_id", "event_date", "event"]

    def __str__(self) -> str:
        return f"{self.list_name}: {self.person_id}"


class ReturnService(models.TextChoices):
    HEALTH_RECORD = "health_record", "建立健康档案"
    HEALTH_EDUCATION = "health_education", "健康教育"
    MATERNAL_CARE = "maternal_care", "孕产妇健康管理"
    CHILD_CARE = "child_care", "0–6岁儿童健康管理"
    VACCINATION = "vaccination", "预防接种"
    CONTRACEPTION = "contraception", "避孕节育/药具"
    FOLIC_ACID = "folic_acid", "增补叶酸"
    OTHER = "other", "其他"


class ExchangeReturn(models.Model):
    """The village station's return: which basic public health service a migrant received."""

    notice = models.ForeignKey(ExchangeNotice, on_delete=models.CASCADE, related_name="returns")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    service = models.CharField(max_length=20, choices=ReturnService.choices)
    service_date = models.DateField()
    note = models.CharField(max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["notice", "person", "service_date"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.service} {self.service_date}"
