"""Small builders for worklists tests: a town with two villages, a health centre, persons."""

from __future__ import annotations

from datetime import date

from weiji.orgunits.models import Catchment, Facility, OrgUnit
from weiji.records.models import Event
from weiji.registry.models import Person
from weiji.rules.facts import DueItem

COUNTY, TOWN, ZONE = "370303000000", "370303100000", "370303100100"
V1, V2 = "370303100201", "370303100202"
FAC = "H370303100"


def make_units() -> None:
    OrgUnit.objects.create(code=COUNTY, name="张店区", level="county", path=f"/{COUNTY}/")
    OrgUnit.objects.create(code=TOWN, name="马尚镇", level="town", parent_id=COUNTY,
                           path=f"/{COUNTY}/{TOWN}/")
    for code, name in ((V1, "东村"), (V2, "西村")):
        OrgUnit.objects.create(code=code, name=name, level="village", parent_id=TOWN,
                               urban_rural="220", path=f"/{COUNTY}/{TOWN}/{code}/")
    Facility.objects.create(code=FAC, name="马尚镇卫生院", kind="health_center", orgunit_id=TOWN)
    Catchment.objects.create(facility_id=FAC, orgunit_id=TOWN)


def make_person(local_id: str, *, village: str = V1, sex: str = "2",
                birth: date = date(1995, 3, 1), name: str = "王芳", **kw) -> Person:
    return Person.objects.create(
        local_id=local_id, name=name, sex=sex, birth_date=birth, village_id=village,
        residency=kw.pop("residency", "registered_present"),
        id_number=kw.pop("id_number", "37030319950301002X"), **kw)


def make_event(person: Person, type_: str, on: date, event_id: str, **kw) -> Event:
    return Event.objects.create(event_id=event_id, person=person, type=type_, date=on, **kw)


def due(person: Person, service: str, due_from: date, due_until: date, *, as_of: date,
        status: str = "due", responsible: str = FAC, village: str | None = None,
        basis: tuple[str, ...] = ()) -> DueItem:
    return DueItem(as_of=as_of, village_code=village or person.village_id,
                   person_local_id=person.local_id, id_number=person.id_number,
                   service=service, due_from=due_from, due_until=due_until, status=status,
                   responsible=responsible, basis=basis)


def make_user(username: str, role: str, *, orgunit: str | None = None,
              facility: str | None = None, name: str = "", password: str | None = None):
    from weiji.accounts.models import User

    return User.objects.create_user(username=username, password=password, role=role,
                                    orgunit_id=orgunit, facility_id=facility,
                                    display_name=name or username)


def make_delivery(*, as_of: date, village: str = V1, local_id: str = "M1",
                  name: str = "李秀英") -> tuple[Person, Person]:
    """A mother who delivered two days before ``as_of`` (postpartum/newborn visits due)."""
    from datetime import timedelta

    mother = make_person(local_id, village=village, name=name,
                         id_number="370303199001011228", birth=date(1990, 1, 1),
                         marital_status="20", phone="13812345678")
    born = as_of - timedelta(days=2)
    make_event(mother, "pregnancy_registered", born - timedelta(days=200), f"{local_id}-PR",
               lmp=born - timedelta(days=270))
    make_event(mother, "pregnancy_outcome", born, f"{local_id}-PO", outcome="live_birth",
               discharge_date=born + timedelta(days=1))
    child = make_person(f"{local_id}-C", village=village, sex="1", birth=born, mother=mother,
                        name=f"{name[0]}宝宝", id_number="")
    return mother, child
