"""Frozen facts the pure rule evaluator works on (no Django, no clock).

The database adapter (``weiji.worklists.facts``) builds these from the register; tests
build them by hand. A ``District`` holds every person and event that rules may refer
to (spouses, mothers and children can live in other villages).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    level: str  # county | town | zone | village
    parent_code: str | None
    urban_rural: str = ""


@dataclass(frozen=True, slots=True)
class Facility:
    code: str
    name: str
    kind: str
    orgunit_code: str
    serves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    person: str  # local_id of the person the event is about
    type: str
    date: date
    lmp: date | None = None
    outcome: str = ""
    discharge_date: date | None = None
    vaccine: str = ""
    dose: int | None = None
    method: str = ""
    condition: str = ""
    partner: str | None = None  # local_id of the spouse (marriage)
    facility_code: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A person's state as of the date in question (residency history already resolved)."""

    local_id: str
    id_number: str
    name: str
    sex: str  # "1" male, "2" female
    birth_date: date
    village_code: str
    residency: str  # registered_present | registered_absent | inflow
    inflow_date: date | None = None
    marital_status: str = ""
    mother: str | None = None  # local_id
    death_date: date | None = None
    phone: str = ""
    hukou_division: str = ""
    household_id: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleDose:
    schedule: str
    effective_from: date
    vaccine: str
    name_zh: str
    dose: int
    age_months: int
    min_interval_days: int
    max_age_months: int


@dataclass(frozen=True, slots=True)
class DueItem:
    """One row of a service list."""

    as_of: date
    village_code: str
    person_local_id: str
    id_number: str
    service: str
    due_from: date
    due_until: date
    status: str  # due | overdue | lead
    responsible: str
    # Why the item is listed: the event ids it derives from (pregnancy, delivery, …).
    basis: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.village_code, self.service, self.person_local_id, self.due_from.isoformat())


@dataclass
class District:
    """Everything rules may look at: units, facilities, persons and their events.

    ``events`` maps a person's local_id to their events sorted by (date, event_id).
    ``children`` maps a mother's local_id to her children's local_ids.
    ``partner_marriages`` maps a local_id to marriage events that name the person as partner.
    ``subjects``: the persons whose facts are complete (their own events, spouse, mother and
    children); None = everyone in ``persons``. A district built for some villages also holds
    persons of other villages that its subjects refer to, with only the facts needed for that.
    """

    units: Mapping[str, Unit]
    facilities: Mapping[str, Facility]
    persons: Mapping[str, Person]
    events: Mapping[str, list[Event]] = field(default_factory=dict)
    children: Mapping[str, list[str]] = field(default_factory=dict)
    partner_marriages: Mapping[str, list[Event]] = field(default_factory=dict)
    subjects: frozenset[str] | None = None
    # Derived lookups (facility serving a unit, …), filled on first use.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def subject_ids(self) -> Iterable[str]:
        return self.persons.keys() if self.subjects is None else self.subjects

    @classmethod
    def build(
        cls,
        *,
        units: Iterable[Unit],
        facilities: Iterable[Facility],
        persons: Iterable[Person],
        events: Iterable[Event],
        subjects: Iterable[str] | None = None,
    ) -> District:
        person_map = {p.local_id: p for p in persons}
        by_person: dict[str, list[Event]] = {}
        partner_marriages: dict[str, list[Event]] = {}
        for ev in events:
            by_person.setdefault(ev.person, []).append(ev)
            if ev.type == "marriage" and ev.partner:
                partner_marriages.setdefault(ev.partner, []).append(ev)
        for evs in by_person.values():
            evs.sort(key=lambda e: (e.date, e.event_id))
        for evs in partner_marriages.values():
            evs.sort(key=lambda e: (e.date, e.event_id))
        children: dict[str, list[str]] = {}
        for p in person_map.values():
            if p.mother:
                children.setdefault(p.mother, []).append(p.local_id)
        return cls(
            units={u.code: u for u in units},
            facilities={f.code: f for f in facilities},
            persons=person_map,
            events=by_person,
            children=children,
            partner_marriages=partner_marriages,
            subjects=None if subjects is None else frozenset(subjects),
        )
