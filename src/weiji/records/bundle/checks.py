"""Row checks of the bundle format that need no other row: required values, dates, enums.

Each ``*_problem`` function looks at one row (a tuple in the order of the table's
``*_COLUMNS``) and returns the first problem as ``(column, reason, value)`` or ``None``.
Columns are checked in the order the format lists them; reference checks (codes that
must exist elsewhere) are done by the loader once the whole bundle is known.
"""

from __future__ import annotations

import re
from datetime import date

from weiji.orgunits.models import RURAL_CODES, URBAN_CODES, FacilityKind, OrgUnitLevel
from weiji.records.models import REQUIRED_BY_TYPE, Condition, EventType, Method, Outcome
from weiji.registry.models import MaritalStatus, Residency, Sex

ORGUNIT_COLUMNS = ("code", "name", "level", "parent_code", "urban_rural")
FACILITY_COLUMNS = ("code", "name", "kind", "orgunit_code", "serves")
PERSON_COLUMNS = (
    "local_id", "id_number", "name", "sex", "birth_date", "phone", "village_code",
    "household_id", "residency", "inflow_date", "hukou_division", "marital_status",
    "mother_local_id", "death_date",
)
EVENT_COLUMNS = (
    "event_id", "person_local_id", "type", "date", "lmp", "outcome", "discharge_date",
    "vaccine", "dose", "method", "condition", "partner_local_id", "facility_code",
    "performed_by", "signed_by", "source_system",
)
COLUMNS = {
    "orgunits": ORGUNIT_COLUMNS,
    "facilities": FACILITY_COLUMNS,
    "persons": PERSON_COLUMNS,
    "events": EVENT_COLUMNS,
}
# Columns whose absence from a header is worth a warning (every row will be rejected).
ALWAYS_REQUIRED = {
    "orgunits": ("code", "name", "level"),
    "facilities": ("code", "name", "kind", "orgunit_code"),
    "persons": ("local_id", "name", "sex", "birth_date", "village_code", "residency"),
    "events": ("event_id", "person_local_id", "type", "date"),
}

LEVELS = frozenset(OrgUnitLevel.values)
URBAN_RURAL = URBAN_CODES | RURAL_CODES
# The level a unit's parent must have.
PARENT_LEVELS = {
    OrgUnitLevel.TOWN: frozenset({OrgUnitLevel.COUNTY}),
    OrgUnitLevel.ZONE: frozenset({OrgUnitLevel.TOWN}),
    OrgUnitLevel.VILLAGE: frozenset({OrgUnitLevel.ZONE, OrgUnitLevel.TOWN}),
}
SERVED_LEVELS = frozenset({OrgUnitLevel.TOWN, OrgUnitLevel.ZONE, OrgUnitLevel.VILLAGE})
FACILITY_KINDS = frozenset(FacilityKind.values)
SEXES = frozenset(Sex.values)
RESIDENCIES = frozenset(Residency.values)
MARITAL = frozenset(MaritalStatus.values)
EVENT_TYPES = frozenset(EventType.values)
OUTCOMES = frozenset(Outcome.values)
METHODS = frozenset(Method.values)
CONDITIONS = frozenset(Condition.values)
# Event column index → required for these types.
_TYPE_REQUIRED = {
    t: tuple(EVENT_COLUMNS.index(c) for c in cols) for t, cols in REQUIRED_BY_TYPE.items()
}

_LMP, _OUTCOME, _VACCINE, _DOSE, _METHOD, _CONDITION = (
    EVENT_COLUMNS.index(c) for c in ("lmp", "outcome", "vaccine", "dose", "method", "condition")
)
# Columns some type requires; event_problem checks each of them (a test keeps this true).
TYPE_REQUIRED_HANDLED = frozenset({_LMP, _OUTCOME, _VACCINE, _DOSE, _METHOD, _CONDITION})

_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_date_cache: dict[str, bool] = {}

Problem = tuple[str, str, str]


def date_ok(value: str) -> bool:
    """Is ``value`` a real date written exactly ``YYYY-MM-DD``?"""
    known = _date_cache.get(value)
    if known is not None:
        return known
    ok = False
    if _DATE_SHAPE.match(value):
        try:
            date.fromisoformat(value)
            ok = True
        except ValueError:
            ok = False
    if len(_date_cache) < 200_000:
        _date_cache[value] = ok
    return ok


def positive_int(value: str) -> bool:
    """A positive whole number that fits the dose column (1 … 32767)."""
    return value.isascii() and value.isdigit() and 0 < int(value) <= 32767


def split_codes(value: str) -> list[str]:
    """The codes of a ``;``-separated cell (a full-width ``；`` is accepted too)."""
    return [c.strip() for c in value.replace("；", ";").split(";") if c.strip()]


def orgunit_problem(row: tuple[str, ...]) -> Problem | None:
    code, name, level, parent, urban_rural = row
    if not code:
        return ("code", "missing", "")
    if not name:
        return ("name", "missing", "")
    if not level:
        return ("level", "missing", "")
    if level not in LEVELS:
        return ("level", "bad_enum", level)
    if level != OrgUnitLevel.COUNTY and not parent:
        return ("parent_code", "missing", "")
    if urban_rural:
        if urban_rural not in URBAN_RURAL:
            return ("urban_rural", "bad_enum", urban_rural)
    elif level == OrgUnitLevel.VILLAGE:
        return ("urban_rural", "missing", "")
    return None


def facility_problem(row: tuple[str, ...]) -> Problem | None:
    code, name, kind, orgunit_code, _serves = row
    if not code:
        return ("code", "missing", "")
    if not name:
        return ("name", "missing", "")
    if not kind:
        return ("kind", "missing", "")
    if kind not in FACILITY_KINDS:
        return ("kind", "bad_enum", kind)
    if not orgunit_code:
        return ("orgunit_code", "missing", "")
    return None


def person_problem(row: tuple[str, ...]) -> Problem | None:
    (local_id, _id_number, name, sex, birth_date, _phone, village_code, _household,
     residency, inflow_date, _hukou, marital, _mother, death_date) = row
    if not local_id:
        return ("local_id", "missing", "")
    if not name:
        return ("name", "missing", "")
    if not sex:
        return ("sex", "missing", "")
    if sex not in SEXES:
        return ("sex", "bad_enum", sex)
    if not birth_date:
        return ("birth_date", "missing", "")
    if not date_ok(birth_date):
        return ("birth_date", "bad_date", birth_date)
    if not village_code:
        return ("village_code", "missing", "")
    if not residency:
        return ("residency", "missing", "")
    if residency not in RESIDENCIES:
        return ("residency", "bad_enum", residency)
    if inflow_date:
        if not date_ok(inflow_date):
            return ("inflow_date", "bad_date", inflow_date)
    elif residency == Residency.INFLOW:
        return ("inflow_date", "missing", "")
    if marital and marital not in MARITAL:
        return ("marital_status", "bad_enum", marital)
    if death_date and not date_ok(death_date):
        return ("death_date", "bad_date", death_date)
    return None


def event_problem(row: tuple[str, ...], vaccines: frozenset[str]) -> Problem | None:
    (event_id, person, etype, when, lmp, outcome, discharge, vaccine, dose, method,
     condition) = row[:11]
    if not event_id:
        return ("event_id", "missing", "")
    if not person:
        return ("person_local_id", "missing", "")
    if not etype:
        return ("type", "missing", "")
    if etype not in EVENT_TYPES:
        return ("type", "bad_enum", etype)
    if not when:
        return ("date", "missing", "")
    if not date_ok(when):
        return ("date", "bad_date", when)
    required = _TYPE_REQUIRED.get(etype, ())
    if lmp:
        if not date_ok(lmp):
            return ("lmp", "bad_date", lmp)
    elif _LMP in required:
        return ("lmp", "missing", "")
    if outcome:
        if outcome not in OUTCOMES:
            return ("outcome", "bad_enum", outcome)
    elif _OUTCOME in required:
        return ("outcome", "missing", "")
    if discharge and not date_ok(discharge):
        return ("discharge_date", "bad_date", discharge)
    if vaccine:
        if vaccine not in vaccines:
            return ("vaccine", "bad_enum", vaccine)
    elif _VACCINE in required:
        return ("vaccine", "missing", "")
    if dose:
        if not positive_int(dose):
            return ("dose", "bad_enum", dose)
    elif _DOSE in required:
        return ("dose", "missing", "")
    if method:
        if method not in METHODS:
            return ("method", "bad_enum", method)
    elif _METHOD in required:
        return ("method", "missing", "")
    if condition:
        if condition not in CONDITIONS:
            return ("condition", "bad_enum", condition)
    elif _CONDITION in required:
        return ("condition", "missing", "")
    return None
