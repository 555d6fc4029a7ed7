"""Writes: resolving a discrepancy task, merging two persons and undoing a merge."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.reconcile.models import (
    Discrepancy,
    Kind,
    LinkStatus,
    Merge,
    Resolution,
    SourceType,
    Status,
)
from weiji.reconcile.models import SourceRecord as Rec
from weiji.records.models import Event, EventType
from weiji.registry import services as registry
from weiji.registry.ids import id_number_assess, name_search_keys
from weiji.registry.models import Person, Residency, ResidencyChange, ResidencyPeriod

__all__ = ["ALLOWED", "ResolveError", "discrepancy_resolve", "merge_undo", "person_merge"]

ALLOWED: dict[str, tuple[str, ...]] = {
    Kind.CONFLICT: (Resolution.ACCEPT_SOURCE, Resolution.KEEP_OURS),
    Kind.UNLINKED: (Resolution.CREATE_PERSON, Resolution.KEEP_OURS),
    Kind.LINK_REVIEW: (Resolution.CONFIRM_LINK, Resolution.REJECT_LINK),
    Kind.MISSING: (Resolution.MARK_MOVED_OUT, Resolution.KEEP_OURS),
    Kind.ABSENT: (Resolution.MARK_MOVED_OUT, Resolution.KEEP_OURS),
    Kind.PRESENT: (Resolution.ACCEPT_SOURCE, Resolution.KEEP_OURS),
    Kind.DUPLICATE: (Resolution.MERGE, Resolution.KEEP_OURS),
    # accept_source here means: assign the managing village given with the resolution
    Kind.UNMANAGED: (Resolution.ACCEPT_SOURCE, Resolution.MARK_MOVED_OUT),
}


class ResolveError(ValueError):
    """The resolution cannot be applied (wrong kind, missing reason, registry refused)."""


def _today() -> dt.date:
    return timezone.localdate()


def _village(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code, level=OrgUnitLevel.VILLAGE).first()
    if unit is None:
        raise ResolveError(f"“{code}”不是本区的村/社区 / {code!r} is not a village of the district")
    return unit


@transaction.atomic
def discrepancy_resolve(
    *, item: Discrepancy, resolution: str, user, note: str = "", village: str = "",
    survivor: int | None = None, request=None,
) -> Discrepancy:
    """Apply one resolution to an open item and close it (every change audited)."""
    item = Discrepancy.objects.select_for_update().get(pk=item.pk)
    if item.status != Status.OPEN:
        raise ResolveError("该事项已处理 / the item is already closed")
    if resolution not in ALLOWED.get(item.kind, ()):
        raise ResolveError(f"此类事项不能“{Resolution(resolution).label if resolution in Resolution.values else resolution}” / "
                           f"{resolution!r} does not apply to a {item.kind} item")
    note = note.strip()
    if resolution == Resolution.KEEP_OURS and not note:
        raise ResolveError("保留本库值须填写理由 / keeping our value needs a reason")
    try:
        detail = _apply(item, resolution, user=user, village=village.strip(), survivor=survivor,
                        note=note, request=request)
    except registry.RegistryError as exc:
        raise ResolveError(str(exc)) from exc
    item.status = Status.RESOLVED
    item.resolution = resolution
    item.note = note[:300]
    item.resolved_by = user if getattr(user, "is_authenticated", False) else None
    item.resolved_at = timezone.now()
    item.save()
    audit_record(user=user, action=AuditAction.UPDATE, obj=item, request=request,
                 detail={"resolution": resolution, "note": note, **detail})
    return item


def _apply(item: Discrepancy, resolution: str, *, user, village: str, survivor: int | None,
           note: str, request) -> dict:
    if resolution == Resolution.KEEP_OURS:
        return {}
    if item.kind == Kind.CONFLICT:
        return _accept_value(item, user=user, request=request)
    if item.kind == Kind.LINK_REVIEW:
        record = item.record
        if resolution == Resolution.CONFIRM_LINK:
            record.link_status = LinkStatus.CONFIRMED
        else:
            record.link_status, record.person = LinkStatus.REJECTED, None
        record.save(update_fields=["link_status", "person", "updated_at"])
        return {"record": record.record_id}
    if item.kind == Kind.UNLINKED:
        return _create_person(item, user=user, village=village, request=request)
    person = Person.objects.select_for_update().get(pk=item.person_id)
    if resolution == Resolution.MARK_MOVED_OUT:
        registry.person_move_out(person=person, date=_today(), user=user, note=note or "比对核查", request=request)
        return {"person": person.local_id, "residency": Residency.REGISTERED_ABSENT}
    if item.kind == Kind.PRESENT:
        code = item.source_value or person.village_id
        if code != person.village_id:
            registry.person_move(person=person, to_village=_village(code), date=_today(), user=user,
                                 note=note or "比对核查：实际居住村", request=request)
        elif person.residency == Residency.REGISTERED_ABSENT:
            _return_home(person)
        return {"person": person.local_id, "village": code}
    if item.kind == Kind.UNMANAGED:
        if not village:
            raise ResolveError("请选择管理村 / choose the managing village")
        registry.person_move(person=person, to_village=_village(village), date=_today(), user=user,
                             note=note or "空管人员指定管理村", request=request)
        return {"person": person.local_id, "village": village}
    if item.kind == Kind.DUPLICATE:
        keep = survivor or item.person_id
        if keep not in (item.person_id, item.other_person_id):
            raise ResolveError("保留的人员须是这两人之一 / the survivor must be one of the two persons")
        drop = item.other_person_id if keep == item.person_id else item.person_id
        merge = person_merge(survivor=Person.objects.get(pk=keep), merged=Person.objects.get(pk=drop),
                             user=user, item=item, request=request)
        return {"merge": merge.pk, "survivor": keep, "merged": drop}
    raise ResolveError(f"unsupported resolution {resolution!r} for {item.kind}")


def _return_home(person: Person) -> None:
    """A person recorded away (户在人不在) is found living at home again."""
    today = _today()
    ResidencyPeriod.objects.filter(person=person, valid_to__isnull=True).update(valid_to=today)
    ResidencyPeriod.objects.create(person=person, village_id=person.village_id,
                                   residency=Residency.REGISTERED_PRESENT, valid_from=today,
                                   change=ResidencyChange.CORRECTED, note="比对核查：已回本地居住")
    person.residency = Residency.REGISTERED_PRESENT
    person.save(update_fields=["residency", "updated_at"])


def _accept_value(item: Discrepancy, *, user, request) -> dict:
    fld, value = item.field, item.source_value
    if fld == "outcome":
        record = item.record
        when = record.event_date or record.birth_date
        near = Event.objects.filter(person_id=item.person_id, type=EventType.PREGNANCY_OUTCOME,
                                    date__range=(when - dt.timedelta(days=45), when + dt.timedelta(days=45))).first()
        if near is not None:
            before = near.outcome
            near.outcome = value
            near.save(update_fields=["outcome", "updated_at"])
        else:
            before = ""
            near = Event.objects.create(
                event_id=f"RC-{record.source_id}-{record.pk}", person_id=item.person_id,
                type=EventType.PREGNANCY_OUTCOME, date=when, outcome=value,
                source_system=record.source.code, recorded_by=user if getattr(user, "is_authenticated", False) else None,
            )
        audit_record(user=user, action=AuditAction.UPDATE, obj=near, request=request,
                     detail={"field": "outcome", "before": before, "after": value, "reconcile": item.pk})
        return {"event": near.event_id}
    person = Person.objects.select_for_update().get(pk=item.person_id)
    before = getattr(person, fld)
    if fld == "death_date":
        registry.person_record_death(person=person, date=dt.date.fromisoformat(value), user=user, request=request)
        return {"field": fld, "before": str(before or ""), "after": value}
    if fld == "name":
        person.name = value
        person.name_pinyin, person.name_initials = name_search_keys(value)
    elif fld == "birth_date":
        person.birth_date = dt.date.fromisoformat(value)
    elif fld == "id_number":
        other = registry.person_by_id_number(value)
        if other is not None and other.pk != person.pk:
            raise ResolveError(f"该身份证号已属于 {other.name}（{other.local_id}），请按重复人员合并 / "
                               f"the number belongs to {other.local_id}; merge the duplicates instead")
        person.id_number = value
    elif fld in ("sex", "marital_status"):
        setattr(person, fld, value)
    else:
        raise ResolveError(f"字段 {fld} 不能自动更新 / field {fld!r} cannot be updated here")
    if fld in ("id_number", "birth_date", "sex"):
        a = id_number_assess(person.id_number, birth_date=person.birth_date, sex=person.sex)
        person.id_status, person.id_issue = a.status, a.issue
    person.save()
    audit_record(user=user, action=AuditAction.UPDATE, obj=person, request=request,
                 detail={"field": fld, "before": str(before or ""), "after": value, "reconcile": item.pk})
    return {"field": fld, "person": person.local_id}


def _create_person(item: Discrepancy, *, user, village: str, request) -> dict:
    record: Rec = item.record
    code = village or item.orgunit_id or record.village_code
    if not code:
        raise ResolveError("请选择该人员的管理村 / choose the managing village")
    mother = record.mother_person
    name = record.name or (f"{mother.name}之{'子' if record.sex == '1' else '女'}" if mother else "")
    if not name or record.sex not in ("1", "2") or record.birth_date is None:
        raise ResolveError("来源记录缺少姓名、性别或出生日期，无法新建 / the record lacks name, sex or birth date")
    inflow = record.source.type == SourceType.RESIDENCE
    try:
        person = registry.person_register(
            name=name, sex=record.sex, birth_date=record.birth_date, village=_village(code),
            residency=Residency.INFLOW if inflow else Residency.REGISTERED_PRESENT, user=user,
            id_number=record.id_number, inflow_date=(record.event_date or _today()) if inflow else None,
            hukou_division=record.hukou_division if len(record.hukou_division) == 6 else "",
            marital_status=record.marital_status, mother=mother, request=request,
        )
    except registry.DuplicateIdNumber as exc:
        raise ResolveError("该身份证号已登记，请核对是否为同一人 / the ID number is already registered") from exc
    record.person, record.link_status, record.link_reason = person, LinkStatus.CONFIRMED, "人工新建人员"
    record.save(update_fields=["person", "link_status", "link_reason", "updated_at"])
    return {"person": person.local_id}


_FILLABLE = ("id_number", "phone", "marital_status", "household_id", "hukou_division")


@transaction.atomic
def person_merge(*, survivor: Person, merged: Person, user, item: Discrepancy | None = None, request=None) -> Merge:
    """Fold `merged` into `survivor`: its events, children and source links move over, empty
    fields of the survivor are filled from it, and it is kept (``merged_into``) for undo."""
    if survivor.pk == merged.pk:
        raise ResolveError("不能与自己合并 / cannot merge a person into itself")
    if survivor.merged_into_id or merged.merged_into_id:
        raise ResolveError("其中一人已被合并 / one of them is already merged")
    moved = {
        "events": list(Event.objects.filter(person=merged).values_list("id", flat=True)),
        "partner_events": list(Event.objects.filter(partner=merged).values_list("id", flat=True)),
        "children": list(Person.objects.filter(mother=merged).values_list("id", flat=True)),
        "records": list(Rec.objects.filter(person=merged).values_list("id", flat=True)),
        "mother_records": list(Rec.objects.filter(mother_person=merged).values_list("id", flat=True)),
        "filled": {},
    }
    Event.objects.filter(id__in=moved["events"]).update(person=survivor)
    Event.objects.filter(id__in=moved["partner_events"]).update(partner=survivor)
    Person.objects.filter(id__in=moved["children"]).update(mother=survivor)
    Rec.objects.filter(id__in=moved["records"]).update(person=survivor)
    Rec.objects.filter(id__in=moved["mother_records"]).update(mother_person=survivor)
    for fld in _FILLABLE:
        if not getattr(survivor, fld) and getattr(merged, fld):
            moved["filled"][fld] = getattr(merged, fld)
            setattr(survivor, fld, getattr(merged, fld))
    if "id_number" in moved["filled"]:
        moved["filled"]["id_status"], moved["filled"]["id_issue"] = survivor.id_status, survivor.id_issue
        a = id_number_assess(survivor.id_number, birth_date=survivor.birth_date, sex=survivor.sex)
        survivor.id_status, survivor.id_issue = a.status, a.issue
    survivor.save()
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = Merge.objects.create(survivor=survivor, merged=merged, discrepancy=item, moved=moved,
                                 merged_by=user if getattr(user, "is_authenticated", False) else None)
    audit_record(user=user, action=AuditAction.UPDATE, obj=merge, request=request,
                 detail={"change": "merge", "survivor": survivor.local_id, "merged": merged.local_id,
                         "moved": {k: len(v) for k, v in moved.items()}})
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, user, request=None) -> Merge:
    """Give the merged person back everything that moved, and re-open the duplicate task."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ResolveError("该合并已撤销 / the merge is already undone")
    moved = merge.moved
    survivor, merged = Person.objects.get(pk=merge.survivor_id), Person.objects.get(pk=merge.merged_id)
    Event.objects.filter(id__in=moved["events"]).update(person=merged)
    Event.objects.filter(id__in=moved["partner_events"]).update(partner=merged)
    Person.objects.filter(id__in=moved["children"]).update(mother=merged)
    Rec.objects.filter(id__in=moved["records"]).update(person=merged)
    Rec.objects.filter(id__in=moved["mother_records"]).update(mother_person=merged)
    filled = dict(moved["filled"])
    restore_status = (filled.pop("id_status", None), filled.pop("id_issue", None))
    for fld, value in filled.items():
        if getattr(survivor, fld) == value:  # unchanged since the merge: give it back
            setattr(survivor, fld, "" if fld != "household_id" else None)
            if fld == "id_number" and restore_status[0] is not None:
                survivor.id_status, survivor.id_issue = restore_status
    survivor.save()
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = user if getattr(user, "is_authenticated", False) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    if merge.discrepancy_id:
        Discrepancy.objects.filter(pk=merge.discrepancy_id).update(
            status=Status.OPEN, resolution="", resolved_by=None, resolved_at=None, updated_at=timezone.now())
    audit_record(user=user, action=AuditAction.UPDATE, obj=merge, request=request,
                 detail={"change": "merge_undone", "survivor": survivor.local_id, "merged": merged.local_id})
    return merge
