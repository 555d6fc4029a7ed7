"""Service lists (服务名单): live items, their history, monthly snapshots and tasks."""

from __future__ import annotations

from django.db import models

from weiji.core.models import AppendOnlyModel


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
    # The as_of date of the last generation that listed the item.
    last_as_of = models.DateField(null=True, blank=True)

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

    @property
    def is_open(self) -> bool:
        return self.state == ItemState.OPEN


class CatalogueVersion(models.Model):
    """One version of the district's service catalogue (rules with parameters), as data.

    Versions are never edited: a change is a new version. Lists record the version that
    produced them, so a catalogue change never rewrites history.
    """

    version = models.PositiveIntegerField(unique=True)
    data = models.JSONField()
    note = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class ItemChange(models.TextChoices):
    ADDED = "added", "新增"
    CHANGED = "changed", "变更"
    CLOSED = "closed", "已完成"
    DROPPED = "dropped", "移出"
    REOPENED = "reopened", "重新列入"


class ChangeReason(models.TextChoices):
    RULE = "rule", "规则"
    EVENT = "event", "服务/事件记录"
    MOVE = "move", "迁移"
    DEATH = "death", "死亡"
    CATALOGUE = "catalogue", "服务目录变更"
    EXPIRED = "expired", "过期"
    MONTHLY = "monthly", "月度生成"


class ServiceItemEvent(AppendOnlyModel):
    """Append-only history of a live item: why it was added, changed, closed or dropped."""

    append_only_what = "item history is append-only / 名单变动记录只能追加"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="history")
    change = models.CharField(max_length=10, choices=ItemChange.choices)
    reason = models.CharField(max_length=10, choices=ChangeReason.choices)
    event = models.ForeignKey(
        "records.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    as_of = models.DateField()
    catalogue_version = models.PositiveIntegerField()
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.change} {self.reason}"


class Snapshot(models.Model):
    """The list as generated on the 1st of a month, frozen (fixed report denominators)."""

    month = models.DateField(unique=True)  # first day of the list month
    as_of = models.DateField()
    catalogue_version = models.PositiveIntegerField()
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SnapshotItem(models.Model):
    """A frozen copy of one listed item; never updated after the snapshot is taken."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        ServiceItem, null=True, on_delete=models.SET_NULL, related_name="snapshot_rows",
        db_constraint=False,
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    village_code = models.CharField(max_length=20)
    person_local_id = models.CharField(max_length=40)
    id_number = models.CharField(max_length=40, blank=True, default="")
    service = models.CharField(max_length=40)
    due_from = models.DateField()
    due_until = models.DateField()
    status = models.CharField(max_length=10, choices=ItemStatus.choices)
    responsible = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["snapshot", "village_code"], name="snapitem_village")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.person_local_id} {self.service}"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待办"
    DONE = "done", "已完成"
    VISITED = "visited", "已入户"
    REFUSED = "refused", "拒绝"
    UNREACHABLE = "unreachable", "失访"
    MOVED_OUT = "moved_out", "迁出"


class UnitKind(models.TextChoices):
    FACILITY = "facility", "卫生院/社区卫生服务中心"
    VILLAGE = "village", "村"
    TOWN = "town", "镇卫计办"


class Task(models.Model):
    """An item pushed to its responsible unit (工作任务), with who acted on it and when."""

    item = models.OneToOneField(ServiceItem, on_delete=models.CASCADE, related_name="task")
    unit_kind = models.CharField(max_length=10, choices=UnitKind.choices)
    unit_code = models.CharField(max_length=30, db_index=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    acted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"task {self.item_id} {self.status}"


class TaskAction(AppendOnlyModel):
    """Append-only: each status change of a task, who acted, visited, signed and is responsible."""

    append_only_what = "task actions are append-only / 任务处理记录只能追加"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="actions")
    status = models.CharField(max_length=12, choices=TaskStatus.choices)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    at = models.DateTimeField(auto_now_add=True)
    event = models.ForeignKey(
        "records.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    visited_by = models.CharField(max_length=60, blank=True, default="")  # 访查人
    signed_by = models.CharField(max_length=60, blank=True, default="")  # 签字人
    responsible_person = models.CharField(max_length=60, blank=True, default="")  # 负责人
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["task", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.status}"


class GenerationRun(models.Model):
    """One regeneration of the district's (or some villages') list: when, for which date, result."""

    as_of = models.DateField(db_index=True)
    villages = models.JSONField(default=list, blank=True)  # [] = the whole district
    snapshot = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.result}"
