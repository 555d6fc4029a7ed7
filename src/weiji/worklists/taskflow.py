"""Acting on tasks (工作任务): record the service, a home visit, or why it could not be done.

Marking a task done records the actual service event through
``weiji.records.recording.event_record`` — one entry, shared by every role — which in turn
refreshes the person's lists, closing the item with that record.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from weiji.core.audit import audit_record
from weiji.records.models import Event
from weiji.records.recording import EventError, event_record
from weiji.worklists.models import ItemState, ServiceItem, Task, TaskAction, TaskStatus
from weiji.worklists.servicemap import service_record
from weiji.worklists.services import current_actor


class TaskError(ValueError):
    """A task action that cannot be done; ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _task_of(item: ServiceItem) -> Task:
    task, _ = Task.objects.get_or_create(
        item=item, defaults={"unit_kind": item.responsible_kind or "village",
                             "unit_code": item.responsible or item.village_id})
    return task


def _set_status(task: Task, *, status: str, user, event: Event | None = None, note: str = "",
                visited_by: str = "", signed_by: str = "", responsible_person: str = "",
                request=None) -> TaskAction:
    before = task.status
    task.status, task.acted_by, task.acted_at = status, user, timezone.now()
    task.save(update_fields=["status", "acted_by", "acted_at"])
    action = TaskAction.objects.create(
        task=task, status=status, user=user, event=event, note=note[:200],
        visited_by=visited_by[:60], signed_by=signed_by[:60],
        responsible_person=responsible_person[:60])
    audit_record(user=user, action="update", obj=task, request=request,
                 detail={"item": task.item_id, "status": [before, status],
                         "event": event.event_id if event else ""})
    return action


@transaction.atomic
def task_complete(*, item: ServiceItem, user, on: date | None = None, method: str = "",
                  performed_by: str = "", request=None) -> Event:
    """Record the service of ``item`` (dated ``on``, default today) and mark its task done."""
    if item.state != ItemState.OPEN:
        raise TaskError({"item": "该服务已不在名单上 / the item is no longer on the list"})
    record = service_record(item.service)
    if record is None or not record.closes:
        raise TaskError({"item": "该项目不能直接记录为完成 / this item cannot be recorded as done"})
    if record.needs_method and not method:
        raise TaskError({"method": "请选择避孕方法 / choose a contraceptive method"})
    facility = getattr(user, "facility", None)
    token = current_actor.set(user)
    try:
        event = event_record(
            person=item.person, type=record.event_type, date=on or timezone.localdate(),
            user=user, method=method if record.needs_method else "", facility=facility,
            performed_by=performed_by or str(user), request=request, **record.fields)
    except EventError as exc:
        raise TaskError(exc.errors) from exc
    finally:
        current_actor.reset(token)
    task = _task_of(item)
    task.refresh_from_db()
    if task.status != TaskStatus.DONE or task.acted_by_id != getattr(user, "pk", None):
        _set_status(task, status=TaskStatus.DONE, user=user, event=event, request=request)
    return event


@transaction.atomic
def task_visit(*, item: ServiceItem, user, visited_by: str, signed_by: str,
               responsible_person: str, on: date | None = None, note: str = "",
               request=None) -> TaskAction:
    """Record a home visit (入户访查) for the item: who visited, who signed, who is responsible."""
    errors = {}
    for name, value, zh, en in (("visited_by", visited_by, "访查人", "visitor"),
                                ("signed_by", signed_by, "签字人", "signer"),
                                ("responsible_person", responsible_person, "负责人",
                                 "responsible person")):
        if not value.strip():
            errors[name] = f"请填写{zh} / the {en} is required"
    if errors:
        raise TaskError(errors)
    token = current_actor.set(user)
    try:
        event = event_record(person=item.person, type="home_visit",
                             date=on or timezone.localdate(), user=user,
                             facility=getattr(user, "facility", None),
                             performed_by=visited_by.strip(), request=request)
    except EventError as exc:
        raise TaskError(exc.errors) from exc
    finally:
        current_actor.reset(token)
    return _set_status(_task_of(item), status=TaskStatus.VISITED, user=user, event=event,
                       note=note, visited_by=visited_by.strip(), signed_by=signed_by.strip(),
                       responsible_person=responsible_person.strip(), request=request)


OUTCOME_STATUSES = (TaskStatus.REFUSED, TaskStatus.UNREACHABLE, TaskStatus.MOVED_OUT,
                    TaskStatus.PENDING)


@transaction.atomic
def task_mark(*, item: ServiceItem, user, status: str, note: str = "",
              request=None) -> TaskAction:
    """Mark that the service could not be given (拒绝 / 失访 / 迁出), or set it back to 待办."""
    if status not in OUTCOME_STATUSES:
        raise TaskError({"status": "状态无效 / invalid status"})
    if status in (TaskStatus.REFUSED, TaskStatus.UNREACHABLE) and not note.strip():
        raise TaskError({"note": "请说明情况 / describe what happened"})
    return _set_status(_task_of(item), status=status, user=user, note=note.strip(),
                       request=request)
