"""Indicator definitions added by a district, and the per-period result cache."""

from __future__ import annotations

from django.db import models


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
    """One cached period [start, end] and the fingerprint of the data it was computed from."""

    period_start = models.DateField()
    period_end = models.DateField()
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="ind_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period_start}..{self.period_end}"


class IndicatorValue(models.Model):
    """A cached count: one unit (village, zone, town, county) × population × indicator.

    Only rows with a non-zero numerator or denominator are stored; a missing row is 0/0.
    """

    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="values")
    unit_code = models.CharField(max_length=20)
    population = models.CharField(max_length=12)
    indicator = models.CharField(max_length=80)
    numerator = models.IntegerField(default=0)
    denominator = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit_code", "population", "indicator"], name="ind_value_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"], name="ind_value_period_ind")]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.population} {self.indicator}"
