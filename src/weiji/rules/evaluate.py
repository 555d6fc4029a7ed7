"""The rule evaluator: which services each person is due for on a date (服务名单).

``evaluate_person`` and ``evaluate_district`` are pure: frozen facts plus an explicit
``as_of`` date in, ``DueItem`` values out (DHIS2's ``RuleEngine.evaluate``). One module per
rule family lives in ``weiji.rules.services``; this module holds what they share — the
per-person ``Context`` with the catalogue terms worked out once, windows and listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from weiji.rules.catalogue import Catalogue, ServiceConfig, default_catalogue
from weiji.rules.dates import age_years, month_end
from weiji.rules.facts import District, DueItem, Event, Person
from weiji.rules.terms import (
    MARRIED_CODES,
    Marriage,
    Pregnancy,
    current_of,
    in_scope,
    latest_marriage,
    pregnancies_from,
    responsible_facility,
    town_of,
)

_EMPTY: tuple[Event, ...] = ()


class Context:
    """One person on one date: the known events by type and the terms rules ask about."""

    __slots__ = (
        "district", "person", "d", "e", "cat", "known", "_pregnancies", "_current",
        "_marriage", "_age",
    )

    def __init__(self, district: District, person: Person, as_of: date, cat: Catalogue):
        self.district = district
        self.person = person
        self.d = as_of
        self.e = month_end(as_of)
        self.cat = cat
        known: dict[str, list[Event]] = {}
        for ev in district.events.get(person.local_id, _EMPTY):
            if ev.date > as_of:
                break  # events are in (date, event_id) order
            bucket = known.get(ev.type)
            if bucket is None:
                known[ev.type] = [ev]
            else:
                bucket.append(ev)
        self.known = known
        self._pregnancies: list[Pregnancy] | None = None
        self._current: Pregnancy | None | bool = False
        self._marriage: Marriage | None | bool = False
        self._age: int | None = None

    # --- terms -------------------------------------------------------------------------
    def events(self, type_: str) -> list[Event] | tuple[Event, ...]:
        """The person's events of one type dated ≤ D, in (date, event_id) order."""
        return self.known.get(type_, _EMPTY)

    def term(self, name: str) -> int:
        return self.cat.terms[name]

    @property
    def age(self) -> int:
        if self._age is None:
            self._age = age_years(self.person.birth_date, self.d)
        return self._age

    @property
    def is_woman_of_reproductive_age(self) -> bool:
        return (
            self.person.sex == "2"
            and self.term("reproductive_age_min") <= self.age <= self.term("reproductive_age_max")
        )

    @property
    def marriage(self) -> Marriage | None:
        """Her latest marriage event dated ≤ D (own or naming her as partner)."""
        if self._marriage is False:
            self._marriage = latest_marriage(self.district, self.person.local_id, self.d)
        return self._marriage  # type: ignore[return-value]

    @property
    def is_married(self) -> bool:
        status = self.person.marital_status
        if status:
            return status in MARRIED_CODES
        return self.marriage is not None

    @property
    def pregnancies(self) -> list[Pregnancy]:
        if self._pregnancies is None:
            if "pregnancy_registered" in self.known:
                regs = self.known["pregnancy_registered"] + list(self.events("pregnancy_outcome"))
                regs.sort(key=_order)
                self._pregnancies = pregnancies_from(
                    regs, self.d, max_days=self.term("pregnancy_max_days")
                )
            else:
                self._pregnancies = []
        return self._pregnancies

    @property
    def current(self) -> Pregnancy | None:
        if self._current is False:
            self._current = current_of(
                self.pregnancies, self.d, gestation_days=self.term("gestation_days"),
                lost_after_days=self.term("lost_after_edd_days"),
            )
        return self._current  # type: ignore[return-value]

    def edd(self, preg: Pregnancy) -> date:
        return preg.lmp + timedelta(days=self.term("gestation_days"))

    # --- items -------------------------------------------------------------------------
    def listed(self, due_from: date, expires: date | None) -> bool:
        """Listed when due_from ≤ E and not expired on D (D < expires)."""
        return due_from <= self.e and (expires is None or self.d < expires)

    def responsible(self, cfg: ServiceConfig) -> str:
        village = self.person.village_code
        key = (cfg.responsible, village)
        cache = self.district.cache.setdefault("responsible", {})
        code = cache.get(key)
        if code is None:
            if cfg.responsible == "village":
                code = village
            elif cfg.responsible == "town":
                code = town_of(self.district, village)
            else:
                code = responsible_facility(self.district, village)
            cache[key] = code
        return code

    def item(
        self, service: str, cfg: ServiceConfig, due_from: date, due_until: date,
        basis: Iterable[str] = (), status: str | None = None,
    ) -> DueItem:
        if status is None:
            status = "overdue" if due_until < self.d else "due"
        p = self.person
        return DueItem(
            as_of=self.d, village_code=p.village_code, person_local_id=p.local_id,
            id_number=p.id_number, service=service, due_from=due_from, due_until=due_until,
            status=status, responsible=self.responsible(cfg), basis=tuple(basis),
        )


def _order(ev: Event) -> tuple[date, str]:
    return (ev.date, ev.event_id)


def done_in(events: Iterable[Event], start: date | None, end: date | None) -> Event | None:
    """The first event dated in [start, end] (either bound open when None)."""
    for ev in events:
        if (start is None or ev.date >= start) and (end is None or ev.date <= end):
            return ev
    return None


def evaluate_person(
    district: District, local_id: str, as_of: date, catalogue: Catalogue | None = None
) -> list[DueItem]:
    """Every item the person is listed for on ``as_of`` (none when not in scope)."""
    from weiji.rules.services import FAMILIES

    person = district.persons.get(local_id)
    if person is None or not in_scope(person, as_of):
        return []
    ctx = Context(district, person, as_of, catalogue or default_catalogue())
    items: list[DueItem] = []
    for family in FAMILIES:
        items.extend(family(ctx))
    return items


def evaluate_district(
    district: District, as_of: date, catalogue: Catalogue | None = None,
    villages: set[str] | None = None,
) -> Iterator[DueItem]:
    """Items of every subject of ``district`` (only those in ``villages`` when given), unsorted."""
    cat = catalogue or default_catalogue()
    persons = district.persons
    for local_id in district.subject_ids():
        person = persons.get(local_id)
        if person is None or (villages is not None and person.village_code not in villages):
            continue
        yield from evaluate_person(district, local_id, as_of, cat)


def sort_items(items: Iterable[DueItem]) -> list[DueItem]:
    """The list order: village_code, service, person_local_id, due_from (code points)."""
    return sorted(items, key=lambda it: it.sort_key)
