"""Recording one service or life event from the web (one service, shared by every role).

``event_record`` validates the type-specific fields (as the bundle loader does), stores the
event, audits it and refreshes the person's service lists.
"""

from __future__ import annotations

import importlib
import importlib.util
import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import Facility
from weiji.records.locks import period_is_locked
from weiji.records.models import (
    REQUIRED_BY_TYPE,
    Condition,
    Event,
    EventType,
    Method,
    Outcome,
)
from weiji.registry.models import Person
from weiji.rules.schedule import default_schedule

# Form labels of the type-specific fields, for messages.
FIELD_LABELS = {
    "lmp": ("末次月经", "last menstrual period"),
    "outcome": ("妊娠结局", "outcome"),
    "discharge_date": ("出院日期", "discharge date"),
    "vaccine": ("疫苗", "vaccine"),
    "dose": ("剂次", "dose"),
    "method": ("避孕方法", "method"),
    "condition": ("慢病种类", "condition"),
}


class EventError(ValueError):
    """Invalid event input; ``errors`` maps form fields to messages (Chinese / English)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def servicelists_refresh(*, person_id: int, event_id: int | None = None) -> None:
    """Refresh a person's service lists, when the worklists app provides the refresher.

    ``event_id`` names the event just recorded (so the refresher can also update those who
    depend on it, e.g. a mother's child); registry changes pass none.
    """
    if importlib.util.find_spec("weiji.worklists.services") is None:
        return
    worklist_services = importlib.import_module("weiji.worklists.services")
    if not hasattr(worklist_services, "servicelist_refresh_person"):
        return
    if event_id is None:
        worklist_services.servicelist_refresh_person(person_id=person_id)
    else:
        worklist_services.servicelist_refresh_person(person_id=person_id, event_id=event_id)


def _check(*, person: Person, type: str, date: date | None, values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if type not in EventType.values:
        return {"type": "请选择事件类型 / choose an event type"}
    if date is None:
        errors["date"] = "请填写日期 / the date is required"
    elif date > timezone.localdate():
        errors["date"] = "日期不能晚于今天 / the date cannot be in the future"
    elif date < person.birth_date:
        errors["date"] = (f"日期不能早于出生日期 {person.birth_date:%Y-%m-%d} / "
                          "the date cannot be before the birth date")
    elif person.death_date is not None and date > person.death_date:
        errors["date"] = (f"日期晚于死亡日期 {person.death_date:%Y-%m-%d} / "
                          "the date is after the person's death")
    for name in REQUIRED_BY_TYPE.get(type, ()):
        if values.get(name) in (None, ""):
            zh, en = FIELD_LABELS[name]
            errors[name] = (f"{EventType(type).label}须填写{zh} / {en} is required for "
                            f"{type}")
    enums = {"outcome": Outcome, "method": Method, "condition": Condition}
    for name, choices in enums.items():
        value = values.get(name)
        if value and value not in choices.values:
            errors.setdefault(name, f"{FIELD_LABELS[name][0]}的值无效 / unknown {name}")
    vaccine = values.get("vaccine")
    if vaccine and vaccine not in default_schedule().vaccines():
        errors.setdefault("vaccine", "疫苗代码不在免疫程序中 / the vaccine is not in the schedule")
    dose = values.get("dose")
    if dose is not None and dose != "" and (not isinstance(dose, int) or dose < 1):
        errors.setdefault("dose", "剂次须为正整数 / the dose must be a positive integer")
    lmp = values.get("lmp")
    if lmp and date and lmp > date:
        errors.setdefault("lmp", "末次月经不能晚于登记日期 / the LMP cannot be after the date")
    discharge = values.get("discharge_date")
    if discharge and date and discharge < date:
        errors.setdefault("discharge_date",
                          "出院日期不能早于结局日期 / discharge cannot be before the outcome")
    partner = values.get("partner")
    if partner is not None and partner.pk == person.pk:
        errors["partner"] = "配偶不能是本人 / the spouse cannot be the person"
    return errors


@transaction.atomic
def event_record(
    *,
    person: Person,
    type: str,
    date: date,
    user,
    lmp: date | None = None,
    outcome: str = "",
    discharge_date: date | None = None,
    vaccine: str = "",
    dose: int | None = None,
    method: str = "",
    condition: str = "",
    partner: Person | None = None,
    facility: Facility | None = None,
    performed_by: str = "",
    request=None,
) -> Event:
    """Validate and store one event of ``person``, audit it and refresh the service lists.

    Raises :class:`EventError` with per-field messages. Fields that do not belong to the
    type are not stored.
    """
    values = {"lmp": lmp, "outcome": outcome, "discharge_date": discharge_date,
              "vaccine": vaccine, "dose": dose, "method": method, "condition": condition,
              "partner": partner}
    errors = _check(person=person, type=type, date=date, values=values)
    if not errors and period_is_locked(village_code=person.village_id, day=date):
        errors["date"] = (
            f"{date:%Y年%m月}的月报表已审核锁定，不能再补录；请联系区卫计局 / {date:%Y-%m} is approved "
            "and locked for this town: records of that month can no longer be added here"
        )
    if errors:
        raise EventError(errors)
    keep = {
        EventType.PREGNANCY_REGISTERED: {"lmp"},
        EventType.PREGNANCY_OUTCOME: {"outcome", "discharge_date"},
        EventType.VACCINATION: {"vaccine", "dose"},
        EventType.CONTRACEPTION: {"method"},
        EventType.CHRONIC_DIAGNOSIS: {"condition"},
        EventType.CHRONIC_FOLLOWUP: {"condition"},
        EventType.MARRIAGE: {"partner"},
    }.get(type, set())
    blank = {"lmp": None, "outcome": "", "discharge_date": None, "vaccine": "", "dose": None,
             "method": "", "condition": "", "partner": None}
    fields = {k: (values[k] if k in keep else v) for k, v in blank.items()}
    event = Event.objects.create(
        event_id=f"W-{uuid.uuid4().hex[:20]}", person=person, type=type, date=date,
        facility=facility, performed_by=performed_by.strip()[:60],
        signed_by=(user.get_username() if user is not None else "")[:60],
        source_system="weiji-web",
        recorded_by=user if user is not None and user.is_authenticated else None, **fields,
    )
    audit_record(user=user, action=AuditAction.CREATE, obj=event, request=request,
                 detail={"person": person.pk, "type": type, "date": date.isoformat()})
    servicelists_refresh(person_id=person.pk, event_id=event.pk)
    return event
