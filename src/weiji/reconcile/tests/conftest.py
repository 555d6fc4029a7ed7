"""A small district: one town, two villages, a few persons, a village worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from weiji.accounts.models import Role, User
from weiji.orgunits.models import OrgUnit
from weiji.reconcile.idnumbers import check_char
from weiji.records.models import Event
from weiji.registry.ids import name_search_keys
from weiji.registry.models import IdStatus, Person

V1, V2 = "370303001201", "370303001202"


def idn(first17: str) -> str:
    return first17 + check_char(first17)


@dataclass
class World:
    zhang: Person
    wang: Person
    wang_dup: Person
    chen: Person
    worker: User
    admin: User


def make_person(local_id, name, sex, birth, village, id_number="", **extra) -> Person:
    pinyin, initials = name_search_keys(name)
    return Person.objects.create(
        local_id=local_id, name=name, name_pinyin=pinyin, name_initials=initials, sex=sex,
        birth_date=birth, village_id=village, residency=extra.pop("residency", "registered_present"),
        id_number=id_number, id_status=IdStatus.VALID if id_number else IdStatus.NONE, **extra,
    )


@pytest.fixture
def world(db) -> World:
    OrgUnit.objects.create(code="370303", name="张店区", level="county", path="/370303/")
    OrgUnit.objects.create(code="370303001", name="和平镇", level="town", parent_id="370303",
                           path="/370303/370303001/")
    for code, name in ((V1, "东村"), (V2, "西村")):
        OrgUnit.objects.create(code=code, name=name, level="village", parent_id="370303001",
                               path=f"/370303/370303001/{code}/", urban_rural="220")
    zhang = make_person("P1", "张丽", "2", dt.date(1990, 1, 1), V1, idn("37030319900101002"), marital_status="20")
    wang = make_person("P2", "王伟", "1", dt.date(1985, 5, 5), V1, idn("37030319850505001"), phone="13800000001")
    wang_dup = make_person("P3", "王玮", "1", dt.date(1985, 5, 5), V1)
    chen = make_person("P4", "陈静", "1", dt.date(1970, 7, 7), V2, idn("37030319700707003"))
    Event.objects.create(event_id="E1", person=wang_dup, type="home_visit", date=dt.date(2026, 1, 5))
    make_person("P5", "李小宝", "1", dt.date(2026, 3, 1), V1, mother=zhang)
    worker = User.objects.create_user("cun", password="pw-123456789", role=Role.VILLAGE_WORKER, orgunit_id=V1)
    admin = User.objects.create_user("qu", password="pw-123456789", role=Role.DISTRICT_ADMIN, orgunit_id="370303")
    return World(zhang, wang, wang_dup, chen, worker, admin)
