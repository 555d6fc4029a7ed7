"""Reading service lists: a month's work list, progress per village and per worker, leads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from weiji.accounts.models import Role, User
from weiji.accounts.scope import scope_filter, scope_villages
from weiji.orgunits.models import OrgUnit
from weiji.rules.dates import month_end
from weiji.worklists.models import (
    ItemState,
    ServiceItem,
    Snapshot,
    SnapshotItem,
    TaskAction,
    TaskStatus,
)
from weiji.worklists.servicemap import service_label

LEAD_SERVICE = "pregnancy_followup_lost"


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, month_end(start)


def worklist_items(*, user, month: date, villages: list[str] | None = None,
                   leads: bool = False) -> QuerySet[ServiceItem]:
    """Open items of the month in the user's scope (due_from ≤ month end), overdue first."""
    _, end = month_bounds(month)
    qs = scope_filter(user, ServiceItem.objects.filter(state=ItemState.OPEN, due_from__lte=end))
    qs = qs.filter(service=LEAD_SERVICE) if leads else qs.exclude(service=LEAD_SERVICE)
    if villages is not None:
        qs = qs.filter(village_id__in=villages)
    return (qs.select_related("person", "task", "village")
            .order_by("village_id", "service", "-status", "due_until", "person__local_id"))


@dataclass
class ServiceGroup:
    service: str
    label: str
    items: list[ServiceItem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.status == "overdue")


def worklist_groups(items: QuerySet[ServiceItem]) -> list[ServiceGroup]:
    """Items grouped by service; groups with overdue items first, overdue items first within."""
    groups: dict[str, ServiceGroup] = {}
    for item in items:
        group = groups.get(item.service)
        if group is None:
            group = groups[item.service] = ServiceGroup(item.service, service_label(item.service))
        group.items.append(item)
    for group in groups.values():
        group.items.sort(key=lambda i: (i.status != "overdue", i.due_until, i.person.local_id))
    return sorted(groups.values(), key=lambda g: (g.overdue == 0, g.service))


def _rate(done: int, total: int) -> str:
    if not total:
        return ""
    pct = (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{pct}%"


@dataclass
class VillageProgress:
    code: str
    name: str
    open: int = 0
    overdue: int = 0
    done: int = 0
    visited: int = 0
    snapshot_total: int | None = None

    @property
    def total(self) -> int:
        return self.open + self.done

    @property
    def rate(self) -> str:
        return _rate(self.done, self.total)


def progress_by_village(*, user, month: date) -> list[VillageProgress]:
    """Per village in scope: items of the month (open + done in the month), done, overdue.

    完成率 = done / (open + done). Where the month's frozen snapshot exists, its count per
    village is shown beside it as the fixed denominator.
    """
    start, end = month_bounds(month)
    villages = {v.code: VillageProgress(v.code, v.name)
                for v in scope_villages(user).order_by("code")}
    base = ServiceItem.objects.filter(village_id__in=list(villages)).exclude(service=LEAD_SERVICE)
    open_rows = base.filter(state=ItemState.OPEN, due_from__lte=end).values("village_id").annotate(
        n=Count("id"), late=Count("id", filter=Q(status="overdue")))
    for row in open_rows:
        villages[row["village_id"]].open = row["n"]
        villages[row["village_id"]].overdue = row["late"]
    done_rows = base.filter(state=ItemState.DONE, closed_on__gte=start,
                            closed_on__lte=end).values("village_id").annotate(n=Count("id"))
    for row in done_rows:
        villages[row["village_id"]].done = row["n"]
    visited = (TaskAction.objects.filter(status=TaskStatus.VISITED, at__date__gte=start,
                                         at__date__lte=end,
                                         task__item__village_id__in=list(villages))
               .values("task__item__village_id").annotate(n=Count("task", distinct=True)))
    for row in visited:
        villages[row["task__item__village_id"]].visited = row["n"]
    snap = Snapshot.objects.filter(month=start).first()
    if snap is not None:
        counts = (SnapshotItem.objects.filter(snapshot=snap, village_code__in=list(villages))
                  .exclude(service=LEAD_SERVICE).values("village_code").annotate(n=Count("id")))
        for v in villages.values():
            v.snapshot_total = 0
        for row in counts:
            villages[row["village_code"]].snapshot_total = row["n"]
    return list(villages.values())


@dataclass
class WorkerProgress:
    """A worker: what they did this month, and the state of the villages they work for."""

    user_id: int | None
    name: str
    done: int = 0
    visited: int = 0
    other: int = 0
    villages: set[str] = field(default_factory=set)
    village_open: int = 0
    village_overdue: int = 0
    village_done: int = 0

    @property
    def village_rate(self) -> str:
        return _rate(self.village_done, self.village_open + self.village_done)


def progress_by_worker(*, user, month: date,
                       villages: list[VillageProgress] | None = None) -> list[WorkerProgress]:
    """Village workers and doctors of the villages in scope, and everyone who acted on their
    tasks this month: tasks done, visited, otherwise closed; their villages' open, overdue
    and 完成率."""
    start, end = month_bounds(month)
    if villages is None:
        villages = progress_by_village(user=user, month=month)
    by_code = {v.code: v for v in villages}
    codes = list(by_code)
    workers: dict[int, WorkerProgress] = {}
    for uid, display, username, unit in User.objects.filter(
            is_active=True, role__in=[Role.VILLAGE_WORKER, Role.VILLAGE_DOCTOR],
            orgunit_id__in=codes).values_list("id", "display_name", "username", "orgunit_id"):
        workers[uid] = WorkerProgress(uid, display or username, villages={unit})
    rows = (TaskAction.objects.filter(at__date__gte=start, at__date__lte=end,
                                      task__item__village_id__in=codes, user__isnull=False)
            .exclude(status=TaskStatus.PENDING)
            .values("user_id", "user__display_name", "user__username", "status",
                    "task__item__village_id", "task_id"))
    seen: dict[tuple[int, str], set[int]] = defaultdict(set)
    for row in rows:
        w = workers.get(row["user_id"])
        if w is None:
            name = row["user__display_name"] or row["user__username"]
            w = workers[row["user_id"]] = WorkerProgress(row["user_id"], name)
        w.villages.add(row["task__item__village_id"])
        key = (row["user_id"], row["status"])
        if row["task_id"] in seen[key]:
            continue
        seen[key].add(row["task_id"])
        if row["status"] == TaskStatus.DONE:
            w.done += 1
        elif row["status"] == TaskStatus.VISITED:
            w.visited += 1
        else:
            w.other += 1
    for w in workers.values():
        for code in w.villages:
            v = by_code.get(code)
            if v is not None:
                w.village_open += v.open
                w.village_overdue += v.overdue
                w.village_done += v.done
    return sorted(workers.values(), key=lambda w: (-w.village_overdue, -w.done, w.name))


def villages_for(user) -> list[OrgUnit]:
    return list(scope_villages(user).order_by("code"))
