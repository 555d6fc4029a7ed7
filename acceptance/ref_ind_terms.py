"""The Terms of service-catalogue.md, evaluated on a date D, written plainly for the reference.

Every function takes the bundle, the person and D, and ignores what is not known on D
(events dated after D, registrations whose lmp is after D, children born after D).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from acceptance.ref_ind_load import Bundle, Dose, Event, Person

MARRIED_CODES = {"20", "21", "22", "23"}
LONG_ACTING = {"iud", "implant", "sterilization"}
SHORT_ACTING = {"injection", "pill", "condom"}


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def add_months(d: dt.date, n: int) -> dt.date:
    return d + relativedelta(months=n)


def age_years(birth: dt.date, on: dt.date) -> int:
    return relativedelta(on, birth).years


def events_of(b: Bundle, p: Person, d: dt.date, *types: str) -> list[Event]:
    """The person's events of these types dated <= d, by (date, event_id)."""
    return [e for e in b.by_person.get(p.local_id, []) if e.date <= d and (not types or e.type in types)]


def in_scope(p: Person, d: dt.date) -> bool:
    if p.birth > d or (p.death is not None and p.death <= d):
        return False
    if p.residency == "registered_present":
        return True
    return p.residency == "inflow" and p.inflow_date is not None and p.inflow_date <= d


def reproductive_age_woman(p: Person, d: dt.date) -> bool:
    return p.sex == "2" and 15 <= age_years(p.birth, d) <= 49


def marriage_events(b: Bundle, p: Person, d: dt.date) -> list[Event]:
    own = [e for e in b.by_person.get(p.local_id, []) if e.type == "marriage" and e.date <= d]
    named = [e for e in b.partner_marriages.get(p.local_id, []) if e.date <= d]
    return sorted(own + named, key=lambda e: (e.date, e.event_id))


def married(b: Bundle, p: Person, d: dt.date) -> bool:
    if p.marital in MARRIED_CODES:
        return True
    if p.marital == "":
        return bool(marriage_events(b, p, d))
    return False


def marriage_date(b: Bundle, p: Person, d: dt.date) -> dt.date | None:
    evs = marriage_events(b, p, d)
    return evs[-1].date if evs else None


def spouse(b: Bundle, p: Person, d: dt.date) -> Person | None:
    evs = marriage_events(b, p, d)
    if not evs:
        return None
    last = evs[-1]
    other = last.partner if last.person == p.local_id else last.person
    return b.persons.get(other) if other else None


def children(b: Bundle, p: Person, d: dt.date) -> list[Person]:
    return [c for c in b.children.get(p.local_id, []) if c.birth <= d]


def pregnancy_lmps(b: Bundle, p: Person, d: dt.date) -> list[dt.date]:
    """Distinct lmps of the pregnancies known on d (registrations dated <= d, lmp <= d)."""
    return sorted({e.lmp for e in events_of(b, p, d, "pregnancy_registered") if e.lmp <= d})


def ended_lmp(lmps: list[dt.date], outcome_date: dt.date) -> dt.date | None:
    """The lmp an outcome ends: the latest strictly before it, at most 308 days before."""
    before = [lmp for lmp in lmps if lmp < outcome_date]
    if not before or (outcome_date - before[-1]).days > 308:
        return None
    return before[-1]


def open_lmps(b: Bundle, p: Person, d: dt.date) -> list[dt.date]:
    lmps = pregnancy_lmps(b, p, d)
    ended = {ended_lmp(lmps, o.date) for o in events_of(b, p, d, "pregnancy_outcome")}
    return [lmp for lmp in lmps if lmp not in ended]


def current_pregnancy(b: Bundle, p: Person, d: dt.date) -> dt.date | None:
    cands = [lmp for lmp in open_lmps(b, p, d) if d <= lmp + days(280 + 30)]
    return cands[-1] if cands else None


def discharge(outcome: Event) -> dt.date:
    return outcome.discharge if outcome.discharge is not None else outcome.date + days(3)


def _long_acting_holds(b: Bundle, p: Person, d: dt.date, methods: set[str]) -> bool:
    evs = events_of(b, p, d, "contraception")
    removals = [e.date for e in evs if e.method == "removed"]
    for e in evs:
        if e.method in methods and not any(e.date < r <= d for r in removals):
            return True
    return False


def protected(b: Bundle, p: Person, d: dt.date) -> bool:
    if _long_acting_holds(b, p, d, LONG_ACTING):
        return True
    if any(e.method in SHORT_ACTING and d - days(90) <= e.date for e in events_of(b, p, d, "contraception")):
        return True
    sp = spouse(b, p, d)
    return sp is not None and _long_acting_holds(b, sp, d, {"sterilization"})


def schedule_version(b: Bundle, p: Person) -> list[Dose]:
    versions = {(x.effective_from, x.version) for x in b.schedule if x.effective_from <= p.birth}
    if not versions:
        return []
    chosen = max(versions)[1]
    return [x for x in b.schedule if x.version == chosen]


def first_doses(b: Bundle, p: Person, d: dt.date) -> dict[tuple[str, int], dt.date]:
    """Earliest record per (vaccine, dose), dated <= d."""
    out: dict[tuple[str, int], dt.date] = {}
    for e in events_of(b, p, d, "vaccination"):
        key = (e.vaccine, e.dose)
        if key not in out or e.date < out[key]:
            out[key] = e.date
    return out
