"""Service lists (服务名单): live items, their history, monthly snapshots and tasks."""

from __future__ import annotations

from django.db import models


class ItemStatus(models.TextChoices):
    DUE = "due", "待服务"
    OVERDUE = "overdue", "已逾期"
    LEAD = "lead", "线索"


class ItemState(models.TextChoices):
    OPEN = "open", "在册"
    DONE = "done", "已完成"
    DROPPED = "dropped", "已移出"


class ServiceItem(models.Model):
    """One (person, service, window) on the live list. Regeneration upserts on that key."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="service_items",
        db_constraint=False,
    )
    service = models.CharField(max_length=40)
    due_from = models.DateField()
    due_until = models.DateField()
    status = models.CharField(max_length=10, choices=ItemStatus.choices)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.OPEN)
    village = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    responsible = models.CharField(max_length=30, blank=True, default="")
    responsible_kind = models.CharField(max_length=10, blank=True, default="")  # facility|village|town
    catalogue_version = models.PositiveIntegerField(default=1)
    basis = models.CharField(max_length=200, blank=True, default="")
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by_event = models.ForeignKey(
        "records.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    close_reason = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service", "due_from"], name="serviceitem_key"
            )
        ]
        indexes = [
            models.Index(fields=["village", "state", "service"], name="item_village_state"),
            models.Index(fields=["responsible", "state"], name="item_responsible_state"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.service} {self.due_from}"
