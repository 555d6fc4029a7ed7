"""Outside sources, their imported records, comparison runs, discrepancy tasks and merges."""

from __future__ import annotations

from django.db import models


class SourceType(models.TextChoices):
    POPULATION_REGISTER = "population_register", "全员人口信息（人口库）"
    BIRTHS = "births", "医院出生信息"
    MARRIAGES = "marriages", "民政婚姻登记"
    RESIDENCE = "residence", "公安流动人口居住登记"
    OTHER = "other", "其他（入户核查等）"


class Source(models.Model):
    """A named feed with its column mapping and (hashed) API token."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=24, choices=SourceType.choices)
    # canonical field → header in this source's export (empty: the default aliases apply)
    column_map = models.JSONField(default=dict, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    token_hint = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SnapshotKind(models.TextChoices):
    FILE = "file", "文件导入"
    API = "api", "接口推送"


class Snapshot(models.Model):
    """One import: the file (or pushed JSON) kept as received, when and by whom."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    kind = models.CharField(max_length=8, choices=SnapshotKind.choices)
    file = models.FileField(upload_to="reconcile/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True, default="")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    read = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_id} {self.filename}"


class LinkStatus(models.TextChoices):
    AUTO = "auto", "自动匹配"
    REVIEW = "review", "待人工确认"
    NONE = "none", "未匹配"
    CONFIRMED = "confirmed", "人工确认"
    REJECTED = "rejected", "人工否定"


class SourceRecord(models.Model):
    """The latest version of one record of a source, normalized, with its link."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="records")
    record_id = models.CharField(max_length=80)
    row = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    id_number = models.CharField(max_length=40, blank=True, default="")
    name = models.CharField(max_length=60, blank=True, default="")
    sex = models.CharField(max_length=1, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    village_code = models.CharField(max_length=20, blank=True, default="")
    present = models.BooleanField(null=True, blank=True)
    hukou_division = models.CharField(max_length=6, blank=True, default="")
    marital_status = models.CharField(max_length=2, blank=True, default="")
    death_date = models.DateField(null=True, blank=True)
    mother_id_number = models.CharField(max_length=40, blank=True, default="")
    mother_name = models.CharField(max_length=60, blank=True, default="")
    outcome = models.CharField(max_length=20, blank=True, default="")
    event_date = models.DateField(null=True, blank=True)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    mother_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    link_status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.NONE)
    link_score = models.FloatField(default=0)
    link_reason = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="source_record_unique")
        ]
        indexes = [models.Index(fields=["person"], name="srcrec_person")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.record_id}"


class Run(models.Model):
    """One comparison of a source with the register."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.source_id}"


class Kind(models.TextChoices):
    UNLINKED = "unlinked", "源有库无（漏登/漏管）"
    LINK_REVIEW = "link_review", "疑似匹配待确认"
    MISSING = "missing", "库有源无"
    CONFLICT = "conflict", "信息不一致"
    DUPLICATE = "duplicate", "疑似重复人员"
    ABSENT = "absent", "户在人不在"
    PRESENT = "present", "人在户不在（人户分离）"
    UNMANAGED = "unmanaged", "无管理村（空管）"


class Status(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"
    OBSOLETE = "obsolete", "已消除（数据已一致）"


class Resolution(models.TextChoices):
    ACCEPT_SOURCE = "accept_source", "采用来源值"
    KEEP_OURS = "keep_ours", "保留本库值"
    CREATE_PERSON = "create_person", "新建人员"
    MARK_MOVED_OUT = "mark_moved_out", "标记迁出/外出"
    MERGE = "merge", "合并两人"
    CONFIRM_LINK = "confirm_link", "确认匹配"
    REJECT_LINK = "reject_link", "否定匹配"


class Discrepancy(models.Model):
    """One item of a discrepancy list: a task for the responsible village."""

    key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="discrepancies")
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    record = models.ForeignKey(SourceRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="discrepancies")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    other_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    field = models.CharField(max_length=20, blank=True, default="")
    source_value = models.CharField(max_length=100, blank=True, default="")
    register_value = models.CharField(max_length=100, blank=True, default="")
    detail = models.CharField(max_length=300, blank=True, default="")
    # the responsible unit: normally a village; a town for 空管 persons
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True, default="")
    note = models.CharField(max_length=300, blank=True, default="")
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        indexes = [
            models.Index(fields=["orgunit", "status", "kind"], name="discrepancy_unit_status"),
            models.Index(fields=["source", "status"], name="discrepancy_source_status"),
        ]
        verbose_name_plural = "discrepancies"

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Merge(models.Model):
    """Person `merged` folded into `survivor`; what moved is kept so that it can be undone."""

    survivor = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    merged = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    discrepancy = models.ForeignKey(Discrepancy, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges")
    moved = models.JSONField(default=dict)  # {"events": [...ids], "children": [...], "records": [...], "filled": {...}}
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.merged_id} → {self.survivor_id}"
