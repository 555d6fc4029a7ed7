"""Small factories for tests in every app (they write to the test database).

    from weiji.core import testing as f
    tree = f.make_tree()                       # county, 2 towns, a zone, 3 villages, facilities
    p = f.make_person(village=tree.v1, name="王芳", sex="2", birth_date=date(1995, 3, 2))
    u = f.make_user(role="village_worker", orgunit=tree.v1)
    client.force_login(u)

``make_tree`` builds (codes are fixed, so tests can name them):

* county ``370303`` 测试区
* town ``370303001`` 东镇 → zone ``370303001Z01`` → villages ``370303001001`` (v1, 东村)
  and ``370303001002`` (v2, 西村); health centre ``F001`` serves the town.
* town ``370303002`` 南镇 → village ``370303002001`` (v3, 南村); community centre ``F002``
  serves the town, and facility ``F003`` serves only v3 (nearest catchment wins, so
  F002 serves nothing there).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import date

from weiji.orgunits.models import Catchment, Facility, FacilityKind, OrgUnit, OrgUnitLevel

_seq = itertools.count(1)
TEST_PASSWORD = "weiji-test-password-1"


def make_unit(*, code: str, name: str, level: str, parent: OrgUnit | None = None,
              urban_rural: str = "") -> OrgUnit:
    """An org unit with its materialized path set from its parent."""
    path = f"{parent.path if parent else '/'}{code}/"
    if level == OrgUnitLevel.VILLAGE and not urban_rural:
        urban_rural = "220"
    return OrgUnit.objects.create(
        code=code, name=name, level=level, parent=parent, urban_rural=urban_rural, path=path
    )


def make_facility(*, code: str, name: str, orgunit: OrgUnit,
                  kind: str = FacilityKind.HEALTH_CENTER, serves=()) -> Facility:
    facility = Facility.objects.create(code=code, name=name, kind=kind, orgunit=orgunit)
    for unit in serves:
        Catchment.objects.create(facility=facility, orgunit=unit)
    return facility


@dataclass
class Tree:
    county: OrgUnit
    town1: OrgUnit
    zone1: OrgUnit
    v1: OrgUnit
    v2: OrgUnit
    town2: OrgUnit
    v3: OrgUnit
    f1: Facility
    f2: Facility
    f3: Facility


def make_tree() -> Tree:
    county = make_unit(code="370303", name="测试区", level=OrgUnitLevel.COUNTY)
    town1 = make_unit(code="370303001", name="东镇", level=OrgUnitLevel.TOWN, parent=county)
    zone1 = make_unit(code="370303001Z01", name="东管区", level=OrgUnitLevel.ZONE, parent=town1)
    v1 = make_unit(code="370303001001", name="东村", level=OrgUnitLevel.VILLAGE, parent=zone1)
    v2 = make_unit(code="370303001002", name="西村", level=OrgUnitLevel.VILLAGE, parent=zone1)
    town2 = make_unit(code="370303002", name="南镇", level=OrgUnitLevel.TOWN, parent=county)
    v3 = make_unit(code="370303002001", name="南村", level=OrgUnitLevel.VILLAGE, parent=town2,
                   urban_rural="111")
    f1 = make_facility(code="F001", name="东镇卫生院", orgunit=town1, serves=[town1])
    f2 = make_facility(code="F002", name="南镇社区卫生服务中心", orgunit=town2,
                       kind=FacilityKind.COMMUNITY_CENTER, serves=[town2])
    f3 = make_facility(code="F003", name="南村分中心", orgunit=v3,
                       kind=FacilityKind.COMMUNITY_CENTER, serves=[v3])
    return Tree(county, town1, zone1, v1, v2, town2, v3, f1, f2, f3)


def make_id_number(*, birth_date: date, sex: str, area: str = "370303") -> str:
    """A valid 18-character ID number for this birth date and sex (unique per call)."""
    from weiji.registry.ids import id_number_check_char

    n = next(_seq) % 500
    seq = f"{n * 2 + (1 if sex == '1' else 0):03d}"[-3:]
    if (int(seq[-1]) % 2 == 1) != (sex == "1"):
        seq = seq[:2] + str((int(seq[-1]) + 1) % 10)
    first17 = f"{area}{birth_date:%Y%m%d}{seq}"
    return first17 + id_number_check_char(first17)


def make_person(*, village: OrgUnit, name: str = "测试人", sex: str = "2",
                birth_date: date = date(1995, 3, 2), id_number: str = "", phone: str = "",
                residency: str = "registered_present", **fields):
    """A person managed by ``village``, with pinyin keys and one residency period."""
    from weiji.registry.ids import id_number_assess, name_search_keys
    from weiji.registry.models import Person, ResidencyChange, ResidencyPeriod

    pinyin, initials = name_search_keys(name)
    assessment = id_number_assess(id_number, birth_date=birth_date, sex=sex)
    fields.setdefault("local_id", f"T{next(_seq):06d}")
    person = Person.objects.create(
        name=name, sex=sex, birth_date=birth_date, id_number=assessment.number,
        id_status=assessment.status, id_issue=assessment.issue, phone=phone,
        village=village, residency=residency, name_pinyin=pinyin, name_initials=initials,
        **fields,
    )
    ResidencyPeriod.objects.create(
        person=person, village=village, residency=residency,
        valid_from=fields.get("inflow_date"), change=ResidencyChange.LOADED,
    )
    return person


@functools.cache
def _hashed(password: str) -> str:
    """Argon2 is slow on purpose: hash each test password once per test run."""
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def make_user(*, role: str, orgunit: OrgUnit | None = None, facility: Facility | None = None,
              username: str | None = None, password: str = TEST_PASSWORD):
    """A user with ``password`` (default :data:`TEST_PASSWORD`)."""
    from weiji.accounts.models import User

    user = User(username=username or f"user{next(_seq)}", role=role,
                orgunit=orgunit or (facility.orgunit if facility else None), facility=facility,
                password=_hashed(password))
    user.save()
    return user


def make_event(*, person, type: str, date: date, **fields):
    """An event row (no validation: use ``records.recording.event_record`` to test that)."""
    from weiji.records.models import Event

    fields.setdefault("event_id", f"TE{next(_seq):06d}")
    return Event.objects.create(person=person, type=type, date=date, **fields)
