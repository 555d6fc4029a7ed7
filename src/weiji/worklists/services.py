"""Writing service lists: diffed regeneration, frozen monthly snapshots, per-person refresh.

``servicelist_generate`` evaluates the catalogue (``weiji.rules``) and hands the due items
to ``servicelist_apply``, which upserts the live list on (person, service, due_from):
unchanged items are untouched, new ones are added with a task, items that are no longer
due are closed (done, with the record that closed them) or dropped (death, move, expiry,
catalogue change, rule). Every change is an append-only ``ServiceItemEvent``.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from weiji.orgunits.models import Facility
from weiji.records.models import Event
from weiji.registry.models import Person
from weiji.rules.dates import month_end
from weiji.rules.evaluate import evaluate_district
from weiji.rules.facts import DueItem
from weiji.worklists.catalogue import catalogue_current
from weiji.worklists.facts import district_from_db, due_items_from_db
from weiji.worklists.models import (
    ChangeReason,
    ItemChange,
    ItemState,
    ServiceItem,
    ServiceItemEvent,
    Snapshot,
    SnapshotItem,
    Task,
    TaskAction,
    TaskStatus,
    UnitKind,
)
from weiji.worklists.servicemap import service_record

BATCH = 2000
logger = logging.getLogger(__name__)
Key = tuple[int, str, date]


@dataclass
class ApplyResult:
    """What one regeneration changed."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    closed: int = 0
    dropped: int = 0
    reopened: int = 0
    listed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in
                ("listed", "added", "changed", "unchanged", "reopened", "closed", "dropped")}


def _chunks(seq: list, size: int = BATCH):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def _person_ids(local_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(local_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(Person.objects.filter(local_id__in=chunk).values_list("local_id", "id"))
    return found


def _unit_kind(responsible: str, village_code: str, facility_codes: set[str]) -> str:
    if not responsible or responsible == village_code:
        return UnitKind.VILLAGE
    if responsible in facility_codes:
        return UnitKind.FACILITY
    return UnitKind.TOWN


def _closing_event(item: dict, events: list[dict], as_of: date) -> dict | None:
    """The latest record of the person that records the item's service, or None."""
    record = service_record(item["service"])
    if record is None or not record.closes:
        return None
    lower = item["due_from"] - timedelta(days=record.lookback_days)
    best = None
    for ev in events:
        if ev["type"] != record.event_type or ev["date"] > as_of:
            continue
        if not record.any_date and ev["date"] < lower:
            continue
        if any(ev.get(k) != v for k, v in record.fields.items()):
            continue
        if best is None or (ev["date"], ev["event_id"]) > (best["date"], best["event_id"]):
            best = ev
    return best


def _drop_reason(item: dict, person: dict | None, as_of: date, catalogue_version: int,
                 trigger_reason: str) -> str:
    if person is None:
        return ChangeReason.RULE
    if person["death_date"] is not None and person["death_date"] <= as_of:
        return ChangeReason.DEATH
    if (person["village_id"] != item["village_id"] or person["residency"] == "registered_absent"
            or (person["residency"] == "inflow"
                and (person["inflow_date"] is None or person["inflow_date"] > as_of))):
        return ChangeReason.MOVE
    if item["catalogue_version"] != catalogue_version and trigger_reason == ChangeReason.CATALOGUE:
        return ChangeReason.CATALOGUE
    if item["due_until"] < as_of and item["status"] != "lead":
        return ChangeReason.EXPIRED
    return ChangeReason.EVENT if trigger_reason == ChangeReason.EVENT else ChangeReason.RULE


def _scope_q(villages: Iterable[str] | None, persons: Iterable[int] | None) -> Q:
    q = Q()
    if villages is not None:
        q &= Q(village_id__in=list(villages))
    if persons is not None:
        q &= Q(person_id__in=list(persons))
    return q


_ITEM_FIELDS = ("id", "person_id", "service", "due_from", "due_until", "status", "state",
                "village_id", "responsible", "responsible_kind", "catalogue_version", "basis",
                "last_as_of")


@transaction.atomic
def servicelist_apply(
    *,
    items: Iterable[DueItem],
    as_of: date,
    catalogue_version: int,
    villages: Iterable[str] | None = None,
    persons: Iterable[int] | None = None,
    reason: str = ChangeReason.RULE,
    event_id: int | None = None,
) -> ApplyResult:
    """Make the live list within the scope (villages/persons; None = district) equal ``items``.

    Idempotent: applying the same items twice changes nothing the second time.
    """
    villages = None if villages is None else sorted(set(villages))
    persons = None if persons is None else sorted(set(persons))
    items = list(items)
    result = ApplyResult(listed=len(items))
    now = timezone.now()
    ids = _person_ids(i.person_local_id for i in items)
    missing = sorted({i.person_local_id for i in items} - set(ids))
    if missing:
        raise ValueError(
            f"名单中的人员不在人口库中 / persons on the list are not in the register: {missing[:5]}"
        )
    facility_codes = set(Facility.objects.values_list("code", flat=True))
    wanted: dict[Key, DueItem] = {}
    for due in items:
        wanted[(ids[due.person_local_id], due.service, due.due_from)] = due

    existing: dict[Key, dict] = {}
    scope = _scope_q(villages, persons)
    for row in ServiceItem.objects.filter(scope, state=ItemState.OPEN).values(*_ITEM_FIELDS):
        existing[(row["person_id"], row["service"], row["due_from"])] = row
    # Closed rows with a key that is listed again are reopened (same key, same history).
    new_keys = [k for k in wanted if k not in existing]
    closed_rows: dict[Key, dict] = {}
    by_person: dict[int, list[Key]] = defaultdict(list)
    for k in new_keys:
        by_person[k[0]].append(k)
    for chunk in _chunks(list(by_person)):
        for row in ServiceItem.objects.filter(person_id__in=chunk).exclude(
                state=ItemState.OPEN).values(*_ITEM_FIELDS):
            key = (row["person_id"], row["service"], row["due_from"])
            if key in wanted:
                closed_rows[key] = row

    # Items whose window starts on the list date (folic acid, contraception: [D, E]) move
    # their due_from with every generation; they stay the same item.
    rolled: dict[Key, dict] = {}
    rolling_open: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for key, row in existing.items():
        if (key not in wanted and row["due_from"] == row["last_as_of"]
                and row["due_until"] == month_end(row["due_from"])):
            rolling_open[(key[0], key[1])].append(row)
    for key, due in wanted.items():
        if (key in existing or key in closed_rows or due.due_from != as_of
                or due.due_until != month_end(as_of)):
            continue
        candidates = rolling_open.get((key[0], key[1]))
        if candidates:
            rolled[key] = candidates.pop()
    rolled_ids = {row["id"] for row in rolled.values()}

    history: list[ServiceItemEvent] = []

    def log(item_id: int, change: str, why: str, detail: dict, ev: int | None = None) -> None:
        history.append(ServiceItemEvent(
            item_id=item_id, change=change, reason=why, event_id=ev, as_of=as_of,
            catalogue_version=catalogue_version, detail=detail))
        result.by_reason[why] = result.by_reason.get(why, 0) + 1

    to_create: list[ServiceItem] = []
    # Updates as (item id, fields to set); applied grouped by identical field values, so a
    # daily run moving thousands of rolling windows or statuses is a handful of UPDATEs.
    updates: list[tuple[int, dict]] = []
    reopened_ids: list[int] = []
    units: list[tuple[int, str, str]] = []  # (item id, unit code, unit kind) of relisted items
    link_event = event_id if reason == ChangeReason.EVENT else None
    for key, due in wanted.items():
        basis = ",".join(due.basis)[:200]
        values = {"due_from": due.due_from, "due_until": due.due_until, "status": due.status,
                  "village_id": due.village_code, "responsible": due.responsible, "basis": basis}
        kind = _unit_kind(due.responsible, due.village_code, facility_codes)
        row = existing.get(key) or rolled.get(key) or closed_rows.get(key)
        if row is None:
            to_create.append(ServiceItem(
                person_id=key[0], service=due.service, responsible_kind=kind,
                catalogue_version=catalogue_version, last_as_of=as_of, **values))
            continue
        diff = {k: [str(row[k]), str(v)] for k, v in values.items() if row[k] != v}
        reopened = row["state"] != ItemState.OPEN
        if not reopened and set(diff) <= {"due_from", "due_until"} and row["id"] in rolled_ids:
            # A rolling window ([D, month end]) moved on with the list date: same item.
            updates.append((row["id"], {k: values[k] for k in diff} | {"last_as_of": as_of}))
            result.unchanged += 1
            continue
        if not diff and not reopened:
            result.unchanged += 1
            continue
        fields = {k: values[k] for k in diff} | {
            "catalogue_version": catalogue_version, "last_as_of": as_of,
            "responsible_kind": kind, "updated_at": now}
        if reopened:
            fields |= {"state": ItemState.OPEN, "closed_at": None, "closed_on": None,
                       "closed_by_event_id": None, "close_reason": ""}
            reopened_ids.append(row["id"])
            result.reopened += 1
            log(row["id"], ItemChange.REOPENED, reason, {"was": row["state"], **diff}, link_event)
        else:
            result.changed += 1
            why = ChangeReason.MOVE if "village_id" in diff else reason
            log(row["id"], ItemChange.CHANGED, why, diff, link_event)
        updates.append((row["id"], fields))
        if reopened or "village_id" in diff or "responsible" in diff:
            units.append((row["id"], due.responsible or due.village_code, kind))

    # Items no longer listed: done (with the closing record) or dropped (with why).
    gone = [row for key, row in existing.items()
            if key not in wanted and row["id"] not in rolled_ids]
    gone_persons = sorted({row["person_id"] for row in gone})
    person_info: dict[int, dict] = {}
    events_by_person: dict[int, list[dict]] = defaultdict(list)
    for chunk in _chunks(gone_persons):
        for p in Person.objects.filter(id__in=chunk).values(
                "id", "village_id", "residency", "inflow_date", "death_date"):
            person_info[p["id"]] = p
        for ev in Event.objects.filter(person_id__in=chunk, date__lte=as_of).values(
                "id", "person_id", "event_id", "type", "date", "vaccine", "dose", "condition"):
            events_by_person[ev["person_id"]].append(ev)
    task_closures: list[tuple[int, str, int | None]] = []
    for row in gone:
        closing = _closing_event(row, events_by_person.get(row["person_id"], []), as_of)
        fields = {"closed_at": now, "closed_on": as_of, "updated_at": now}
        if closing is not None:
            fields |= {"state": ItemState.DONE, "closed_by_event_id": closing["id"],
                       "close_reason": "done"}
            result.closed += 1
            log(row["id"], ItemChange.CLOSED, ChangeReason.EVENT,
                {"event_id": closing["event_id"], "date": str(closing["date"])}, closing["id"])
            task_closures.append((row["id"], TaskStatus.DONE, closing["id"]))
        else:
            why = _drop_reason(row, person_info.get(row["person_id"]), as_of, catalogue_version,
                               reason)
            fields |= {"state": ItemState.DROPPED, "closed_by_event_id": None,
                       "close_reason": why}
            result.dropped += 1
            log(row["id"], ItemChange.DROPPED, why, {}, link_event)
            if why == ChangeReason.MOVE:
                task_closures.append((row["id"], TaskStatus.MOVED_OUT, None))
        updates.append((row["id"], fields))

    created = []
    for chunk in _chunks(to_create):
        created.extend(ServiceItem.objects.bulk_create(chunk))
    for obj in created:
        result.added += 1
        log(obj.id, ItemChange.ADDED, reason, {"basis": obj.basis}, link_event)
    _update_grouped(updates)
    # Listed and unchanged: only the stamp of the generation that listed them moves on.
    changed_ids = {item_id for item_id, _ in updates}
    stamp = [row["id"] for k, row in existing.items() if k in wanted and row["id"] not in
             changed_ids and row["last_as_of"] != as_of]
    for chunk in _chunks(stamp):
        ServiceItem.objects.filter(id__in=chunk).update(last_as_of=as_of)
    for chunk in _chunks(history):
        ServiceItemEvent.objects.bulk_create(chunk)
    _tasks_sync(created=created, reopened=reopened_ids, closures=task_closures, units=units)
    return result


def _update_grouped(updates: list[tuple[int, dict]]) -> None:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for item_id, fields in updates:
        groups[tuple(sorted(fields.items()))].append(item_id)
    for fields, ids in groups.items():
        for chunk in _chunks(ids):
            ServiceItem.objects.filter(id__in=chunk).update(**dict(fields))


def _tasks_sync(*, created: list[ServiceItem], reopened: list[int],
                closures: list[tuple[int, str, int | None]],
                units: list[tuple[int, str, str]]) -> None:
    """Push new items to their responsible unit; follow closures, reopenings and moves."""
    new_tasks = [Task(item_id=o.id, unit_kind=o.responsible_kind,
                      unit_code=o.responsible or o.village_id) for o in created]
    for chunk in _chunks(new_tasks):
        Task.objects.bulk_create(chunk)
    # The responsible unit changes when a person moves village.
    for item_id, code, kind in units:
        Task.objects.filter(item_id=item_id).exclude(unit_code=code).update(
            unit_code=code, unit_kind=kind)
    now = timezone.now()
    actor = _actor()
    changes: dict[tuple[str, int | None], list[tuple[int, int]]] = defaultdict(list)
    if reopened:
        for chunk in _chunks(reopened):
            for task_id, item_id in Task.objects.filter(item_id__in=chunk).exclude(
                    status=TaskStatus.PENDING).values_list("id", "item_id"):
                changes[(TaskStatus.PENDING, None)].append((task_id, item_id))
    by_item = {item_id: (status, ev) for item_id, status, ev in closures}
    for chunk in _chunks(list(by_item)):
        for task_id, item_id, status in Task.objects.filter(item_id__in=chunk).values_list(
                "id", "item_id", "status"):
            new_status, ev = by_item[item_id]
            if status != new_status:
                changes[(new_status, ev)].append((task_id, item_id))
    actions = []
    for (status, ev), pairs in changes.items():
        ids = [task_id for task_id, _ in pairs]
        who = None if status == TaskStatus.PENDING else actor
        for chunk in _chunks(ids):
            Task.objects.filter(id__in=chunk).update(status=status, acted_at=now, acted_by=who)
        note = ("重新列入名单" if status == TaskStatus.PENDING
                else "服务记录关闭" if ev else "名单重新生成")
        actions.extend(TaskAction(task_id=task_id, status=status, event_id=ev, user=who,
                                  note=note) for task_id in ids)
    for chunk in _chunks(actions):
        TaskAction.objects.bulk_create(chunk)


# The user whose recorded event triggers a regeneration (None for scheduled runs); set by
# ``weiji.worklists.taskflow`` around ``event_record`` so task closures name who acted.
current_actor: contextvars.ContextVar = contextvars.ContextVar("worklists_actor", default=None)


def _actor():
    return current_actor.get()


# --- evaluation -------------------------------------------------------------------------

def servicelist_generate(
    *,
    as_of: date,
    villages: Iterable[str] | None = None,
    persons: Iterable[int] | None = None,
    reason: str = ChangeReason.RULE,
    event_id: int | None = None,
    chunk_size: int = 20_000,
) -> ApplyResult:
    """Regenerate the live list as of ``as_of`` for the district, some villages or persons.

    The district/village run streams the population in chunks through the rule engine
    (``due_items_from_db``) and applies the whole result set at once; a person run builds
    the facts of those persons (with the spouses, mothers and children rules look at).
    """
    active = catalogue_current()
    if persons is None:
        villages = None if villages is None else sorted(set(villages))
        items = list(due_items_from_db(as_of=as_of, catalogue=active.catalogue,
                                       villages=villages, chunk_size=chunk_size))
    else:
        persons = sorted(set(persons))
        local_ids = list(Person.objects.filter(id__in=persons).values_list("local_id", flat=True))
        district = district_from_db(on=as_of, persons=local_ids)
        items = list(evaluate_district(district, as_of, active.catalogue))
    kwargs = {"items": items, "as_of": as_of, "catalogue_version": active.version,
              "villages": villages, "persons": persons, "reason": reason, "event_id": event_id}
    try:
        return servicelist_apply(**kwargs)
    except IntegrityError:
        # A concurrent refresh (a recorded event) added one of the same items meanwhile:
        # apply again on the current state; the evaluation itself does not change.
        logger.info("service list apply retried after a concurrent insert")
        return servicelist_apply(**kwargs)


def persons_affected_by(*, person_id: int) -> list[int]:
    """The person and those whose items depend on the person's events."""
    person = Person.objects.filter(id=person_id).values("mother_id", "household_id").first()
    if person is None:
        return []
    ids = {person_id}
    if person["mother_id"]:
        ids.add(person["mother_id"])
    ids |= set(Person.objects.filter(mother_id=person_id).values_list("id", flat=True))
    if person["household_id"]:
        ids |= set(Person.objects.filter(household_id=person["household_id"])
                   .values_list("id", flat=True))
    ids |= {p for p in Event.objects.filter(person_id=person_id, type="marriage")
            .values_list("partner_id", flat=True) if p}
    ids |= set(Event.objects.filter(partner_id=person_id, type="marriage")
               .values_list("person_id", flat=True))
    return sorted(ids)


def servicelist_refresh_person(*, person_id: int, event_id: int | None = None) -> None:
    """Regenerate today's live items of a person and of those who depend on the person's events.

    Called by ``weiji.records.recording.event_record`` after every recorded event, so work
    lists stay current the same day; then replans the person's reminders.
    """
    persons = persons_affected_by(person_id=person_id)
    if not persons:
        return
    if event_id is None:  # the event just recorded (event_record calls us right after it)
        recent = timezone.now() - timedelta(minutes=1)
        event_id = (Event.objects.filter(person_id=person_id, created_at__gte=recent)
                    .order_by("-created_at", "-id").values_list("id", flat=True).first())
    servicelist_generate(as_of=timezone.localdate(), persons=persons,
                         reason=ChangeReason.EVENT, event_id=event_id)
    if importlib.util.find_spec("weiji.messaging.services") is not None:
        messaging = importlib.import_module("weiji.messaging.services")
        replan = getattr(messaging, "reminders_replan_for_person", None)
        if replan is not None:
            for pid in persons:
                replan(person_id=pid)


def servicelist_refresh_household(*, household_id: int, as_of: date | None = None) -> ApplyResult:
    """Regenerate the live items of every member of a household (as of today by default)."""
    members = list(Person.objects.filter(household_id=household_id).values_list("id", flat=True))
    return servicelist_generate(as_of=as_of or timezone.localdate(), persons=members)


# --- snapshots --------------------------------------------------------------------------

@transaction.atomic
def servicelist_snapshot(*, as_of: date) -> Snapshot:
    """Freeze the live list as the month's snapshot; an existing snapshot is never rewritten."""
    month = as_of.replace(day=1)
    existing = Snapshot.objects.filter(month=month).first()
    if existing is not None:
        return existing
    version = catalogue_current().version
    snap = Snapshot.objects.create(month=month, as_of=as_of, catalogue_version=version)
    rows = ServiceItem.objects.filter(state=ItemState.OPEN).values_list(
        "id", "person_id", "village_id", "person__local_id", "person__id_number", "service",
        "due_from", "due_until", "status", "responsible").order_by("id")
    batch, count = [], 0
    for (iid, pid, village, local_id, id_number, service, dfrom, duntil, status,
         resp) in rows.iterator(chunk_size=BATCH):
        batch.append(SnapshotItem(
            snapshot=snap, item_id=iid, person_id=pid, village_code=village,
            person_local_id=local_id, id_number=id_number, service=service, due_from=dfrom,
            due_until=duntil, status=status, responsible=resp))
        if len(batch) >= BATCH:
            SnapshotItem.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    SnapshotItem.objects.bulk_create(batch)
    snap.item_count = count + len(batch)
    snap.save(update_fields=["item_count"])
    return snap

