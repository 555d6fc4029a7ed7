"""Registry writes: households, persons, moves, out-migration, deaths. Every write is audited.

Errors are raised as :class:`RegistryError` with a field name and a message in Chinese and
English; forms show them next to the field.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.registry.ids import id_number_assess, name_search_keys
from weiji.registry.models import (
    Household,
    MaritalStatus,
    Person,
    Residency,
    ResidencyChange,
    ResidencyPeriod,
    Sex,
)


class RegistryError(ValueError):
    """Input a registry operation cannot accept; ``field`` names the form field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
        self.message = message


class DuplicateIdNumber(RegistryError):
    """The ID number is already registered: open ``existing`` instead of creating anew."""

    def __init__(self, existing: Person):
        super().__init__(
            f"该身份证号已登记为 {existing.name}（{existing.local_id}） / "
            f"this ID number is already registered ({existing.local_id})",
            field="id_number",
        )
        self.existing = existing


def _new_local_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:16].upper()}"


def _today() -> date:
    return timezone.localdate()


def _require_village(unit: OrgUnit | None, field: str = "village") -> OrgUnit:
    if unit is None or unit.level != OrgUnitLevel.VILLAGE:
        raise RegistryError("请选择一个村/社区 / choose a village or community", field=field)
    return unit


def _check_date(value: date | None, field: str, *, not_before: date | None = None,
                before_label: str = "出生日期 / birth date") -> date:
    if value is None:
        raise RegistryError("请填写日期 / the date is required", field=field)
    if value > _today():
        raise RegistryError("日期不能晚于今天 / the date cannot be in the future", field=field)
    if not_before is not None and value < not_before:
        raise RegistryError(
            f"日期不能早于{before_label}（{not_before:%Y-%m-%d}） / "
            f"the date cannot be before {not_before:%Y-%m-%d}",
            field=field,
        )
    return value


def person_by_id_number(number: str) -> Person | None:
    """The (not merged) person registered with this ID number, if any."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        Person.objects.filter(id_number=number, merged_into__isnull=True).order_by("pk").first()
    )


@transaction.atomic
def household_register(*, code: str, village: OrgUnit, address: str = "", user,
                       request=None) -> Household:
    """Register a household (户) in a village; its code must be new."""
    code = code.strip()
    if not code:
        raise RegistryError("请填写户编号 / the household code is required", field="code")
    _require_village(village)
    if Household.objects.filter(code=code).exists():
        raise RegistryError(f"户编号 {code} 已存在 / household {code} already exists",
                            field="code")
    household = Household.objects.create(code=code, village=village, address=address.strip())
    audit_record(user=user, action=AuditAction.CREATE, obj=household, request=request,
                 detail={"village": village.code})
    return household


@transaction.atomic
def person_register(
    *,
    name: str,
    sex: str,
    birth_date: date,
    village: OrgUnit,
    residency: str,
    user,
    id_number: str = "",
    phone: str = "",
    household: Household | None = None,
    inflow_date: date | None = None,
    hukou_division: str = "",
    marital_status: str = "",
    mother: Person | None = None,
    request=None,
) -> Person:
    """Register a person (a newborn with its mother, an inflow migrant, a resident).

    Raises :class:`DuplicateIdNumber` when the ID number is already registered; an invalid
    or inconsistent number is kept and flagged (``id_status``) for correction.
    """
    name = name.strip()
    if not name:
        raise RegistryError("请填写姓名 / the name is required", field="name")
    if sex not in Sex.values:
        raise RegistryError("请选择性别 / choose the sex", field="sex")
    _check_date(birth_date, "birth_date")
    _require_village(village)
    if residency not in Residency.values:
        raise RegistryError("请选择户籍/居住状态 / choose the residency", field="residency")
    if residency == Residency.INFLOW:
        if inflow_date is None:
            raise RegistryError("流入人口须填写流入日期 / an inflow migrant needs the inflow date",
                                field="inflow_date")
        _check_date(inflow_date, "inflow_date", not_before=birth_date)
    elif inflow_date is not None:
        raise RegistryError("只有流入人口填写流入日期 / only inflow migrants have an inflow date",
                            field="inflow_date")
    if marital_status and marital_status not in MaritalStatus.values:
        raise RegistryError("婚姻状况代码无效 / unknown marital status", field="marital_status")
    phone = phone.strip()
    if phone and (not phone.isdigit() or len(phone) != 11):
        raise RegistryError("手机号应为11位数字 / a mobile number has 11 digits", field="phone")
    hukou_division = hukou_division.strip()
    if hukou_division and (not hukou_division.isdigit() or len(hukou_division) != 6):
        raise RegistryError("户籍地应为6位区县代码 / the hukou division is a 6-digit county code",
                            field="hukou_division")
    if mother is not None:
        if mother.sex != Sex.FEMALE:
            raise RegistryError("母亲须为女性 / the mother must be a woman", field="mother")
        if mother.birth_date >= birth_date:
            raise RegistryError("母亲须早于孩子出生 / the mother must be born before the child",
                                field="mother")
    assessment = id_number_assess(id_number, birth_date=birth_date, sex=sex)
    if assessment.number:
        existing = person_by_id_number(assessment.number)
        if existing is not None:
            raise DuplicateIdNumber(existing)
    if household is not None and household.village_id and household.village_id != village.code:
        raise RegistryError("该户不在所选村 / the household is in another village",
                            field="household")
    pinyin, initials = name_search_keys(name)
    person = Person.objects.create(
        local_id=_new_local_id("W"), id_number=assessment.number, id_status=assessment.status,
        id_issue=assessment.issue, name=name, name_pinyin=pinyin, name_initials=initials,
        sex=sex, birth_date=birth_date, phone=phone, village=village, household=household,
        residency=residency, inflow_date=inflow_date, hukou_division=hukou_division,
        marital_status=marital_status, mother=mother,
    )
    ResidencyPeriod.objects.create(
        person=person, village=village, residency=residency,
        valid_from=inflow_date if residency == Residency.INFLOW else None,
        change=ResidencyChange.INFLOW if residency == Residency.INFLOW
        else ResidencyChange.REGISTERED,
    )
    audit_record(user=user, action=AuditAction.CREATE, obj=person, request=request,
                 detail={"village": village.code, "residency": residency,
                         "id_status": assessment.status})
    return person


def _current_period(person: Person, on: date) -> ResidencyPeriod | None:
    periods = list(person.residency_periods.filter(valid_to__isnull=True).order_by("valid_from"))
    later = person.residency_periods.filter(valid_from__gt=on).exists()
    if later:
        raise RegistryError(
            "该人在此日期之后已有居住记录，不能补记更早的变动 / a later residency change is "
            "already recorded; a change cannot be dated before it",
            field="date",
        )
    return periods[-1] if periods else None


def _change_residency(*, person: Person, on: date, village: OrgUnit, residency: str,
                      change: str, note: str) -> ResidencyPeriod:
    current = _current_period(person, on)
    if current is not None:
        if current.valid_from is not None and current.valid_from == on:
            raise RegistryError(
                "当天已有一次居住变动 / a residency change is already recorded for that day",
                field="date",
            )
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    period = ResidencyPeriod.objects.create(
        person=person, village=village, residency=residency, valid_from=on, change=change,
        note=note[:200],
    )
    person.village = village
    person.residency = residency
    person.save(update_fields=["village", "residency", "updated_at"])
    return period


@transaction.atomic
def person_move(*, person: Person, to_village: OrgUnit, date: date, user, note: str = "",
                request=None) -> ResidencyPeriod:
    """Move a person from their village to another from ``date`` (a new residency period)."""
    _require_village(to_village, "to_village")
    if to_village.code == person.village_id:
        raise RegistryError("迁入村与现管理村相同 / the person already lives in that village",
                            field="to_village")
    _check_date(date, "date", not_before=person.birth_date)
    before = person.village_id
    residency = (Residency.REGISTERED_PRESENT if person.residency == Residency.REGISTERED_ABSENT
                 else person.residency)
    period = _change_residency(person=person, on=date, village=to_village, residency=residency,
                               change=ResidencyChange.MOVED, note=note)
    audit_record(user=user, action=AuditAction.UPDATE, obj=person, request=request,
                 detail={"change": "move", "from": before, "to": to_village.code,
                         "date": date.isoformat()})
    return period


@transaction.atomic
def person_move_out(*, person: Person, date: date, user, note: str = "",
                    request=None) -> ResidencyPeriod:
    """Record that a person lives away from ``date`` (户在人不在, registered_absent)."""
    if person.residency == Residency.REGISTERED_ABSENT:
        raise RegistryError("该人已登记为户在人不在 / the person is already recorded as away",
                            field="date")
    _check_date(date, "date", not_before=person.birth_date)
    before = person.residency
    period = _change_residency(person=person, on=date, village=person.village,
                               residency=Residency.REGISTERED_ABSENT,
                               change=ResidencyChange.MOVED_OUT, note=note)
    audit_record(user=user, action=AuditAction.UPDATE, obj=person, request=request,
                 detail={"change": "move_out", "from": before, "date": date.isoformat()})
    return period


@transaction.atomic
def person_record_death(*, person: Person, date: date, user, request=None) -> Person:
    """Record a person's death on ``date`` (lists and indicators read ``death_date``)."""
    if person.death_date is not None:
        raise RegistryError(
            f"已登记死亡日期 {person.death_date:%Y-%m-%d} / a death is already recorded",
            field="date",
        )
    _check_date(date, "date", not_before=person.birth_date)
    last_event = person.events.order_by("-date").values_list("date", flat=True).first()
    if last_event is not None and last_event > date:
        raise RegistryError(
            f"该人在 {last_event:%Y-%m-%d} 还有服务记录，死亡日期不能更早 / a service is recorded "
            "after that date",
            field="date",
        )
    person.death_date = date
    person.save(update_fields=["death_date", "updated_at"])
    audit_record(user=user, action=AuditAction.UPDATE, obj=person, request=request,
                 detail={"change": "death", "date": date.isoformat()})
    return person
