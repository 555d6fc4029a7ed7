"""Small builders of rule facts for the table-driven tests."""

from __future__ import annotations

from datetime import date
from itertools import count

from weiji.rules.evaluate import evaluate_person
from weiji.rules.facts import District, DueItem, Event, Facility, Person, Unit

VILLAGE = "320981100201"
OTHER_VILLAGE = "320981001001"
TOWN = "320981100"
UNITS = (
    Unit("320981", "县", "county", None),
    Unit(TOWN, "店子镇", "town", "320981"),
    Unit("320981100Z01", "东部管区", "zone", TOWN),
    Unit(VILLAGE, "赵集村", "village", "320981100Z01", "210"),
    Unit("320981001", "东阁街道", "town", "320981"),
    Unit(OTHER_VILLAGE, "阳光社区", "village", "320981001", "112"),
)
FACILITIES = (
    Facility("HC03", "店子镇卫生院", "health_center", TOWN, (TOWN,)),
    Facility("CC01", "社区卫生服务中心", "community_center", "320981001", (OTHER_VILLAGE,)),
    Facility("VC01", "赵集村卫生室", "village_clinic", VILLAGE, (VILLAGE,)),
)
_ids = count(1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def person(local_id: str = "W", *, sex: str = "2", birth: str = "1995-05-10",
           village: str = VILLAGE, residency: str = "registered_present",
           inflow: str | None = None, marital: str = "", mother: str | None = None,
           death: str | None = None, id_number: str = "") -> Person:
    return Person(
        local_id=local_id, id_number=id_number, name=local_id, sex=sex, birth_date=d(birth),
        village_code=village, residency=residency, inflow_date=d(inflow) if inflow else None,
        marital_status=marital, mother=mother, death_date=d(death) if death else None,
    )


def ev(type_: str, day: str, who: str = "W", *, event_id: str | None = None,
       lmp: str | None = None, outcome: str = "", discharge: str | None = None,
       vaccine: str = "", dose: int | None = None, method: str = "", condition: str = "",
       partner: str | None = None) -> Event:
    return Event(
        event_id=event_id or f"E{next(_ids):07d}", person=who, type=type_, date=d(day),
        lmp=d(lmp) if lmp else None, outcome=outcome,
        discharge_date=d(discharge) if discharge else None, vaccine=vaccine, dose=dose,
        method=method, condition=condition, partner=partner,
    )


def district(persons, events=()) -> District:
    return District.build(units=UNITS, facilities=FACILITIES, persons=persons, events=events)


def items(persons, events, as_of: str, local_id: str = "W", service: str | None = None,
          catalogue=None) -> list[DueItem]:
    found = evaluate_person(district(persons, events), local_id, d(as_of), catalogue)
    if service is not None:
        found = [i for i in found if i.service == service]
    return found


def rows(found: list[DueItem]) -> list[tuple[str, str, str, str]]:
    """(service, due_from, due_until, status) of each item, for comparing."""
    return [(i.service, i.due_from.isoformat(), i.due_until.isoformat(), i.status) for i in found]
