"""Reads: sources, discrepancy lists (scoped to the user's units) and export rows."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from weiji.accounts.scope import scope_units
from weiji.core.masking import mask_id_number
from weiji.reconcile.importing import FIELDS
from weiji.reconcile.models import Discrepancy, Kind, Source, Status

FIELD_LABELS = {f: zh for f, (zh, _en, _a) in FIELDS.items()} | {"residency": "户籍/居住状态", "village": "管理村"}

EXPORT_COLUMNS = (
    ("kind", "类型"), ("unit", "责任单位"), ("status", "状态"), ("record_id", "来源记录编号"),
    ("local_id", "人员编号"), ("name", "姓名"), ("id_number", "身份证号"), ("birth_date", "出生日期"),
    ("field", "字段"), ("source_value", "来源值"), ("register_value", "本库值"),
    ("other", "另一人"), ("link", "匹配得分/理由"), ("detail", "说明"),
)


def source_list() -> QuerySet[Source]:
    return Source.objects.annotate(
        open_items=Count("discrepancies", filter=Q(discrepancies__status=Status.OPEN))
    ).order_by("code")


def discrepancy_visible(*, user, qs: QuerySet[Discrepancy] | None = None) -> QuerySet[Discrepancy]:
    """Items whose responsible unit is in the user's scope (unassigned ones: superusers only)."""
    qs = Discrepancy.objects.all() if qs is None else qs
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    return qs.filter(orgunit__in=scope_units(user).values("code"))


def discrepancy_list(*, user, kind: str = "", status: str = Status.OPEN, source: str = "") -> QuerySet[Discrepancy]:
    qs = discrepancy_visible(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(Q(source__code=source) | Q(source__isnull=True))
    return qs.select_related("source", "record", "person", "other_person", "orgunit").order_by("kind", "id")


def discrepancy_counts(*, user) -> dict[str, int]:
    rows = discrepancy_visible(user=user).filter(status=Status.OPEN).values("kind").annotate(n=Count("id"))
    counts = {r["kind"]: r["n"] for r in rows}
    return {k: counts.get(k, 0) for k in Kind.values}


def _masked_value(field: str, value: str) -> str:
    return mask_id_number(value) if field in ("id_number", "mother_id_number") else value


def discrepancy_export_rows(*, source: Source | None, user=None, status: str = Status.OPEN) -> dict[str, list[list]]:
    """Rows per kind for CSV/xlsx, ID numbers masked."""
    qs = Discrepancy.objects.filter(status=status)
    if source is not None:
        qs = qs.filter(Q(source=source) | Q(source__isnull=True))
    if user is not None:
        qs = discrepancy_visible(user=user, qs=qs)
    cols = (
        "kind", "orgunit_id", "orgunit__name", "status", "record__record_id", "person__local_id",
        "person__name", "person__id_number", "person__birth_date", "record__name", "record__id_number",
        "record__birth_date", "field", "source_value", "register_value", "other_person__local_id",
        "other_person__name", "record__link_score", "record__link_reason", "detail",
    )
    labels = dict(Kind.choices)
    status_labels = dict(Status.choices)
    out: dict[str, list[list]] = {k: [] for k in Kind.values}
    for (kind, unit, unit_name, st, record_id, local_id, pname, pid, pbirth, rname, rid, rbirth, fld, sval,
         rval, other_local, other_name, score, reason, detail) in qs.order_by("kind", "orgunit_id", "id").values_list(*cols).iterator(chunk_size=5000):
        out[kind].append([
            labels[kind], f"{unit_name}（{unit}）" if unit else "未分配", status_labels[st], record_id or "",
            local_id or "", pname or rname or "", mask_id_number(pid or rid or ""),
            (pbirth or rbirth).isoformat() if (pbirth or rbirth) else "", FIELD_LABELS.get(fld, fld),
            _masked_value(fld, sval), _masked_value(fld, rval),
            f"{other_name}（{other_local}）" if other_local else "",
            f"{score:g}：{reason}" if reason else "", detail,
        ])
    return out
