"""What records a service: catalogue service code → the event type (and fields) that closes it.

Used when an item leaves the list (was it done, and by which record?) and when a worker
marks an item done (which event to record). Labels are the catalogue's Chinese names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from weiji.rules.schedule import default_schedule

_FIXED: dict[str, tuple[str, str]] = {
    # service: (event type, 中文)
    "preconception_checkup": ("preconception_checkup", "孕前优生健康检查"),
    "folic_acid": ("folic_acid", "增补叶酸"),
    "early_pregnancy_registration": ("maternal_handbook", "早孕建册"),
    "anc_2": ("antenatal_visit", "第2次产前检查"),
    "anc_3": ("antenatal_visit", "第3次产前检查"),
    "anc_4": ("antenatal_visit", "第4次产前检查"),
    "anc_5": ("antenatal_visit", "第5次产前检查"),
    "postpartum_visit": ("postpartum_visit", "产后访视"),
    "postpartum_42d": ("postpartum_42d", "产后42天健康检查"),
    "newborn_visit": ("newborn_visit", "新生儿家庭访视"),
    "pregnancy_followup_lost": ("home_visit", "孕情不明原因消失"),
    "contraception_service": ("contraception", "避孕节育服务"),
    "elderly_checkup": ("elderly_checkup", "老年人健康体检"),
}
_CHECKUP_AGES = {
    "1m": "满月", "3m": "3月龄", "6m": "6月龄", "8m": "8月龄", "12m": "12月龄",
    "18m": "18月龄", "24m": "24月龄", "30m": "30月龄", "36m": "3岁", "4y": "4岁",
    "5y": "5岁", "6y": "6岁",
}
_CONDITIONS = {"hypertension": "高血压", "diabetes": "2型糖尿病"}
# How far before due_from a record may be dated and still close the item.
_LOOKBACK_DAYS = {"folic_acid": 90, "child_checkup": 15, "postpartum_42d": 14}


@dataclass(frozen=True)
class ServiceRecord:
    """The event that records a service, with the fields it must carry."""

    service: str
    event_type: str
    label: str
    fields: dict[str, object] = field(default_factory=dict)
    lookback_days: int = 0
    any_date: bool = False  # vaccinations count whenever recorded
    closes: bool = True  # False: the record documents work on the item but never closes it

    @property
    def needs_method(self) -> bool:
        return self.event_type == "contraception"


def _vaccine_names() -> dict[str, str]:
    return {d.vaccine: d.name_zh for d in default_schedule().doses}


def service_record(service: str) -> ServiceRecord | None:
    """The record that closes ``service``, or None for a code this product does not know."""
    if service in _FIXED:
        type_, label = _FIXED[service]
        return ServiceRecord(service, type_, label, lookback_days=_LOOKBACK_DAYS.get(service, 0),
                             closes=service != "pregnancy_followup_lost")
    if service.startswith("child_checkup_"):
        age = service.removeprefix("child_checkup_")
        return ServiceRecord(service, "child_checkup", f"儿童健康检查（{_CHECKUP_AGES.get(age, age)}）",
                             lookback_days=_LOOKBACK_DAYS["child_checkup"])
    if service.startswith("chronic_followup_"):
        cond = service.removeprefix("chronic_followup_")
        return ServiceRecord(service, "chronic_followup", f"{_CONDITIONS.get(cond, cond)}随访",
                             fields={"condition": cond})
    if service.startswith("vaccine_"):
        code, _, dose = service.removeprefix("vaccine_").rpartition("_")
        if not code or not dose.isdigit():
            return None
        name = _vaccine_names().get(code, code)
        return ServiceRecord(service, "vaccination", f"{name} 第{dose}剂",
                             fields={"vaccine": code, "dose": int(dose)}, any_date=True)
    return None


def service_label(service: str) -> str:
    record = service_record(service)
    return record.label if record else service
