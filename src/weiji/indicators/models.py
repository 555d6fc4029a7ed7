"""Indicator definitions added by a district, and the per-period result cache."""

from __future__ import annotations

from django.db import models

from weiji.core.models import AppendOnlyModel


class IndicatorDefinition(models.Model):
    """A district's own indicator, built from the same blocks as the defaults (JSON spec)."""

    code = models.CharField(max_length=80, unique=True)
    name_zh = models.CharField(max_length=100)
    spec = models.JSONField(help_text="definitions.py format: denominator/numerator selections")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class IndicatorPeriod(models.Model):
    """One cached period [start, end], its counts and the fingerprint of the data behind them."""

    period_start = models.DateField()
    period_end = models.DateField()
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)
    seconds = models.FloatField(default=0)
    # Every unit (village, zone, town, county) × population × indicator with a non-zero
    # count: {indicator: [[unit_code, population, numerator, denominator], ...]}. One row
    # per period keeps a 12-month recomputation to 12 writes; a missing cell is 0/0.
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="ind_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period_start}..{self.period_end}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已上报待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核通过"


class ReportForm(models.Model):
    """A town's monthly report form (月报表): service counts, registered and migrant.

    ``data`` holds the counts as prepared (frozen from submission on); an approved form is
    locked: its numbers never change again.
    """

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="report_forms",
        db_constraint=False,
    )
    month = models.DateField(help_text="first day of the month")
    status = models.CharField(max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT)
    data = models.JSONField(default=dict)
    prepared_by = models.CharField(max_length=60, blank=True, default="")  # 填报人
    prepared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=60, blank=True, default="")  # 审核人
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, default="")
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-month", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="reportform_unit_month")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.status}"


class ReportFormEvent(AppendOnlyModel):
    """Every state change of a report form (append-only; also written to the audit log)."""

    append_only_what = "report form history is append-only / 月报表流转记录只能追加"

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)  # prepare | submit | approve | return
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12)
    user = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)
    username = models.CharField(max_length=150, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    ACTION_LABELS = {"prepare": "生成", "submit": "上报", "approve": "审核通过", "return": "退回"}

    def __str__(self) -> str:
        return f"{self.form_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

    @property
    def status_change(self) -> str:
        labels = dict(ReportStatus.choices)
        return f"{labels.get(self.from_status, self.from_status)} → {labels.get(self.to_status)}"


class ScoringScheme(models.Model):
    """A district's performance-scoring scheme (绩效考核方案): weighted items as data.

    ``items`` follows ``scoring.py``: ``[{"code", "kind", "label", "weight", "params"}]``.
    The newest active scheme is used; with none, the default items apply.
    """

    name = models.CharField(max_length=100)
    items = models.JSONField()
    active = models.BooleanField(default=True)
    updated_by = models.CharField(max_length=150, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name
