"""The terms of the service catalogue (service-catalogue.md "Terms"), as pure functions.

Every function takes the ``District`` facts, a person and the date ``on`` and only looks
at what is *known on* that date (events dated on or before it). Rules, indicators,
campaigns and the migrant exchange are all built from these, so that one definition of
"married", "pregnancy" or "protected" serves the whole product.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from weiji.rules.dates import add_days, age_years
from weiji.rules.facts import District, Event, Person

MARRIED_CODES = frozenset({"20", "21", "22", "23"})
LONG_ACTING = frozenset({"iud", "implant", "sterilization"})
SHORT_ACTING = frozenset({"injection", "pill", "condom"})
SPOUSE_METHODS = frozenset({"sterilization"})
DELIVERY_OUTCOMES = frozenset({"live_birth", "stillbirth"})
RESPONSIBLE_FACILITY_KINDS = frozenset({"health_center", "community_center"})
PREGNANCY_MAX_DAYS = 308  # 44 weeks: an outcome later than this after the lmp ends nothing
LOST_AFTER_EDD_DAYS = 30


def events_known(district: District, local_id: str, on: date, type_: str | None = None) -> list[Event]:
    """The person's events dated on or before ``on`` (optionally of one type), in order."""
    return [
        ev for ev in district.events.get(local_id, ())
        if ev.date <= on and (type_ is None or ev.type == type_)
    ]


def in_scope(person: Person, on: date) -> bool:
    """Born on or before ``on``, alive on it, and registered_present or an arrived inflow."""
    if person.birth_date > on:
        return False
    if person.death_date is not None and person.death_date <= on:
        return False
    if person.residency == "registered_present":
        return True
    if person.residency == "inflow":
        return person.inflow_date is not None and person.inflow_date <= on
    return False


def is_woman_of_reproductive_age(person: Person, on: date) -> bool:
    return person.sex == "2" and 15 <= age_years(person.birth_date, on) <= 49


@dataclass(frozen=True, slots=True)
class Marriage:
    date: date
    event_id: str
    spouse: str | None


def marriages(district: District, local_id: str, on: date) -> list[Marriage]:
    """Marriage events of the person (own, or naming the person as partner), dated ≤ on."""
    found: list[tuple[date, str, str | None]] = []
    for ev in district.events.get(local_id, ()):
        if ev.type == "marriage" and ev.date <= on:
            found.append((ev.date, ev.event_id, ev.partner))
    for ev in district.partner_marriages.get(local_id, ()):
        if ev.date <= on and ev.person != local_id:
            found.append((ev.date, ev.event_id, ev.person))
    found.sort(key=lambda t: (t[0], t[1]))
    return [Marriage(d, eid, spouse) for d, eid, spouse in found]


def latest_marriage(district: District, local_id: str, on: date) -> Marriage | None:
    found = marriages(district, local_id, on)
    return found[-1] if found else None


def is_married(district: District, person: Person, on: date) -> bool:
    """Married on ``on``: status 20–23, or no status and a marriage event dated ≤ on."""
    if person.marital_status in MARRIED_CODES:
        return True
    if person.marital_status:
        return False
    return latest_marriage(district, person.local_id, on) is not None


@dataclass(frozen=True, slots=True)
class Pregnancy:
    lmp: date
    registrations: tuple[str, ...]  # event ids of pregnancy_registered with this lmp
    ended_by: Event | None  # the first outcome (by date, event_id) that ends it

    @property
    def edd(self) -> date:
        return add_days(self.lmp, 280)

    @property
    def is_open(self) -> bool:
        return self.ended_by is None


def pregnancies(
    district: District, local_id: str, on: date, *, max_days: int = PREGNANCY_MAX_DAYS
) -> list[Pregnancy]:
    """The person's pregnancies known on ``on``, sorted by lmp, each with its ending outcome.

    A pregnancy is a `pregnancy_registered` dated ≤ on with lmp ≤ on (same lmp = one).
    A `pregnancy_outcome` dated ≤ on ends the pregnancy with the latest lmp strictly before
    its date, provided it is dated at most 308 days after that lmp.
    """
    return pregnancies_from(district.events.get(local_id, ()), on, max_days=max_days)


def pregnancies_from(
    events: Iterable[Event], on: date, *, max_days: int = PREGNANCY_MAX_DAYS
) -> list[Pregnancy]:
    """``pregnancies`` over one person's events (in (date, event_id) order)."""
    regs: dict[date, list[str]] = {}
    outcomes: list[Event] = []
    for ev in events:
        if ev.date > on:
            continue
        if ev.type == "pregnancy_registered" and ev.lmp is not None and ev.lmp <= on:
            regs.setdefault(ev.lmp, []).append(ev.event_id)
        elif ev.type == "pregnancy_outcome":
            outcomes.append(ev)
    if not regs:
        return []
    lmps = sorted(regs)
    ended: dict[date, Event] = {}
    for out in outcomes:  # already in (date, event_id) order
        target = pregnancy_ended_by(lmps, out.date, max_days=max_days)
        if target is not None and target not in ended:
            ended[target] = out
    return [Pregnancy(lmp, tuple(regs[lmp]), ended.get(lmp)) for lmp in lmps]


def pregnancy_ended_by(
    lmps: list[date], outcome_date: date, *, max_days: int = PREGNANCY_MAX_DAYS
) -> date | None:
    """The lmp (from sorted ``lmps``) that an outcome on ``outcome_date`` ends, if any."""
    candidate = None
    for lmp in lmps:
        if lmp < outcome_date:
            candidate = lmp
        else:
            break
    if candidate is None or (outcome_date - candidate).days > max_days:
        return None
    return candidate


def current_pregnancy(district: District, local_id: str, on: date) -> Pregnancy | None:
    """The latest (by lmp) pregnancy open on ``on`` with on ≤ EDD + 30."""
    return current_of(pregnancies(district, local_id, on), on)


def current_of(
    found: list[Pregnancy], on: date, *, gestation_days: int = 280,
    lost_after_days: int = LOST_AFTER_EDD_DAYS,
) -> Pregnancy | None:
    """The current pregnancy among ``found`` (sorted by lmp)."""
    for preg in reversed(found):
        if preg.is_open and on <= add_days(preg.lmp, gestation_days + lost_after_days):
            return preg
    return None


def discharge(outcome: Event) -> date:
    """Discharge of a delivery: discharge_date, or outcome date + 3 when empty."""
    return outcome.discharge_date if outcome.discharge_date is not None else add_days(outcome.date, 3)


def latest_delivery(district: District, local_id: str, on: date) -> Event | None:
    """Her latest pregnancy_outcome dated ≤ on with outcome live_birth or stillbirth."""
    found = None
    for ev in district.events.get(local_id, ()):
        if ev.date > on:
            break
        if ev.type == "pregnancy_outcome" and ev.outcome in DELIVERY_OUTCOMES:
            found = ev
    return found


def children(district: District, local_id: str, on: date) -> list[Person]:
    """Persons born on or before ``on`` whose mother is this person (alive or not)."""
    result = []
    for cid in district.children.get(local_id, ()):
        child = district.persons.get(cid)
        if child is not None and child.birth_date <= on:
            result.append(child)
    return result


def long_acting_active(events: Iterable[Event], methods: frozenset[str], on: date) -> bool:
    """A long-acting method dated ≤ on with no `removed` after it (a later day) and ≤ on."""
    events = list(events)
    last_removed: date | None = None
    for ev in events:
        if ev.type == "contraception" and ev.method == "removed" and ev.date <= on:
            last_removed = ev.date if last_removed is None else max(last_removed, ev.date)
    for ev in events:
        if ev.type == "contraception" and ev.method in methods and ev.date <= on:
            if last_removed is None or last_removed <= ev.date:
                return True
    return False


def is_protected(district: District, person: Person, on: date) -> bool:
    """Protected from pregnancy on ``on`` (service-catalogue.md, contraception_service)."""
    marriage = latest_marriage(district, person.local_id, on)
    spouse_events = district.events.get(marriage.spouse, ()) if marriage and marriage.spouse else ()
    return protected_from(district.events.get(person.local_id, ()), spouse_events, on)


def protected_from(
    own: Iterable[Event], spouse: Iterable[Event], on: date, *, short_acting_days: int = 90
) -> bool:
    """``is_protected`` over her events and her spouse's (any order, any dates)."""
    own = [ev for ev in own if ev.type == "contraception"]
    if long_acting_active(own, LONG_ACTING, on):
        return True
    window_start = add_days(on, -short_acting_days)
    for ev in own:
        if ev.method in SHORT_ACTING and window_start <= ev.date <= on:
            return True
    spouse = [ev for ev in spouse if ev.type == "contraception"]
    return bool(spouse) and long_acting_active(spouse, SPOUSE_METHODS, on)


def unit_path(district: District, village_code: str) -> list[str]:
    """Codes from the village up to the county: [village, zone?, town, county]."""
    path = []
    code: str | None = village_code
    seen = set()
    while code and code not in seen:
        seen.add(code)
        path.append(code)
        unit = district.units.get(code)
        code = unit.parent_code if unit is not None else None
    return path


def town_of(district: District, village_code: str) -> str:
    for code in unit_path(district, village_code):
        unit = district.units.get(code)
        if unit is not None and unit.level == "town":
            return code
    return ""


def responsible_facility(district: District, village_code: str) -> str:
    """The health/community centre serving the first unit on village → zone → town."""
    cache = district.cache.get("serving")
    if cache is None:
        cache = {}
        for fac in district.facilities.values():
            if fac.kind in RESPONSIBLE_FACILITY_KINDS:
                for code in fac.serves:
                    cache.setdefault(code, []).append(fac.code)
        district.cache["serving"] = cache
    for code in unit_path(district, village_code):
        unit = district.units.get(code)
        if unit is None or unit.level == "county":
            break
        if code in cache:
            return min(cache[code])
    return ""
