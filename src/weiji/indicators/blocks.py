"""Reusable building blocks of indicator definitions (pure, no Django).

An indicator's denominator and numerator are each a *selection*: a subject kind
(``person`` or ``live_birth`` — a `pregnancy_outcome` live_birth event with its mother) and
a list of blocks that must all hold. A block is named data, ``["event", {"types": [...],
"from": "P1", "to": "P2"}]``, so districts can define their own indicators from the same
pieces (see ``definitions.py``). Catalogue terms (in scope, married, pregnancy, protected,
children, discharge) come from ``weiji.rules.terms`` — blocks never redefine them.

Speed comes from *candidates*: a block that can name its matching subjects from an index
(people born in a date range, people with an event of a type, live births of the period,
deaths of the period) does so, and the other blocks are only tested on those.

Dates in block parameters are ``ANCHOR`` or ``ANCHOR±N`` (days): ``P1``, ``P2``,
``year_start`` (1 January of P2's year), ``birth`` (the subject's birth date, or the
outcome date for a live birth), ``lmp`` and ``discharge`` (live births). Every window is cut
at P2: events after P2 are unknown.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from weiji.rules.dates import add_days, add_years, quarter_bounds
from weiji.rules.facts import District, Event, Person
from weiji.rules.schedule import Schedule, default_schedule
from weiji.rules.terms import (
    children,
    current_pregnancy,
    discharge,
    in_scope,
    is_married,
    is_protected,
    pregnancies,
    pregnancy_ended_by,
)

FOREVER = date(1, 1, 1)
# Event types the catalogue terms used by blocks look at (marriage, pregnancy, protection).
TERM_TYPES = frozenset({"marriage", "pregnancy_registered", "pregnancy_outcome", "contraception"})


class DefinitionError(ValueError):
    """An indicator definition that cannot be used (unknown block, bad parameter)."""


def add_months_fast(d: date, n: int) -> date:
    """``rules.dates.add_months`` without relativedelta (same clamping; tested equal)."""
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def age_years_fast(birth: date, on: date) -> int:
    """Completed years as relativedelta computes them (29 Feb birthdays reach an age on 28 Feb)."""
    bm, bd = birth.month, birth.day
    if bm == 2 and bd == 29 and not (on.year % 4 == 0 and (on.year % 100 != 0 or on.year % 400 == 0)):
        bd = 28
    return on.year - birth.year - ((on.month, on.day) < (bm, bd))


def population_of(person: Person) -> str | None:
    """``registered`` (registered_present), ``inflow``, or None (registered_absent: no row)."""
    if person.residency == "registered_present":
        return "registered"
    if person.residency == "inflow":
        return "inflow"
    return None


@dataclass(slots=True)
class LiveBirth:
    mother: Person
    event: Event


class DistrictIndex:
    """Lookups over a District built once and shared by every period."""

    def __init__(self, district: District) -> None:
        self.district = district
        people = [p for p in district.persons.values() if population_of(p) is not None]
        people.sort(key=lambda p: p.birth_date)
        self.by_birth = people
        self.birth_dates = [p.birth_date for p in people]
        dead = sorted((p for p in people if p.death_date is not None), key=lambda p: p.death_date)
        self.by_death = dead
        self.death_dates = [p.death_date for p in dead]
        self.dates: dict[tuple[str, str], list[date]] = {}
        self.detail: dict[tuple[str, str, str], list[date]] = {}
        self.with_type: dict[str, list[Person]] = {}
        self.first_dose: dict[tuple[str, str, int], date] = {}
        births: list[LiveBirth] = []
        for person in people:
            seen_types: set[str] = set()
            for ev in district.events.get(person.local_id, ()):
                self.dates.setdefault((person.local_id, ev.type), []).append(ev.date)
                sub = ev.condition or ev.outcome or ev.method
                if sub:
                    self.detail.setdefault((person.local_id, ev.type, sub), []).append(ev.date)
                if ev.type == "vaccination" and ev.dose is not None:
                    key = (person.local_id, ev.vaccine, ev.dose)
                    if key not in self.first_dose or ev.date < self.first_dose[key]:
                        self.first_dose[key] = ev.date
                if ev.type == "pregnancy_outcome" and ev.outcome == "live_birth":
                    births.append(LiveBirth(person, ev))
                if ev.type not in seen_types:
                    seen_types.add(ev.type)
                    self.with_type.setdefault(ev.type, []).append(person)
        births.sort(key=lambda b: (b.event.date, b.event.event_id))
        self.births = births
        # Village × population of every subject the index can yield, by object identity
        # (the objects live as long as the index), so counting needs no per-period work.
        self.subject_keys: dict[int, tuple[str, str]] = {
            id(p): (p.village_code, population_of(p)) for p in people}
        for b in births:
            self.subject_keys[id(b)] = self.subject_keys[id(b.mother)]
        self.birth_event_dates = [b.event.date for b in births]
        self.memo: dict = {}  # per-person results that do not depend on the period
        # Catalogue terms (married, pregnancies, protected) read only these event types, so
        # they get a district holding just those: the same answers, shorter scans.
        self.terms_district = District(
            units=district.units, facilities=district.facilities, persons=district.persons,
            events={
                pid: kept for pid, evs in district.events.items()
                if (kept := [ev for ev in evs if ev.type in TERM_TYPES])
            },
            children=district.children, partner_marriages=district.partner_marriages,
        )

    def born_between(self, start: date, end: date) -> list[Person]:
        return self.by_birth[bisect_left(self.birth_dates, start):bisect_right(self.birth_dates, end)]

    def died_between(self, start: date, end: date) -> list[Person]:
        return self.by_death[bisect_left(self.death_dates, start):bisect_right(self.death_dates, end)]

    def live_births_between(self, start: date, end: date) -> list[LiveBirth]:
        lo = bisect_left(self.birth_event_dates, start)
        return self.births[lo:bisect_right(self.birth_event_dates, end)]

    def count_in(self, dates: list[date] | None, start: date, end: date) -> int:
        if not dates or start > end:
            return 0
        return bisect_right(dates, end) - bisect_left(dates, start)


@dataclass
class Context:
    """One period's evaluation: P1, P2, the index and a per-period cache."""

    index: DistrictIndex
    p1: date
    p2: date
    schedule: Schedule = field(default_factory=default_schedule)
    cache: dict = field(default_factory=dict)

    @property
    def district(self) -> District:
        """The district for catalogue terms (events of ``TERM_TYPES`` only)."""
        return self.index.terms_district

    def lmp_of(self, birth: LiveBirth) -> date | None:
        """The lmp of the pregnancy this outcome ends (registrations known on P2)."""
        key = ("lmp", birth.event.event_id)
        if key not in self.cache:
            lmps = [preg.lmp for preg in pregnancies(self.district, birth.mother.local_id, self.p2)]
            self.cache[key] = pregnancy_ended_by(lmps, birth.event.date)
        return self.cache[key]


_DATE_RE = re.compile(r"^(P1|P2|year_start|birth|lmp|discharge)\s*(?:([+-])\s*(\d+))?$")
_P1, _P2 = attrgetter("p1"), attrgetter("p2")


def _anchor_birth(ctx: Context, subject: Any) -> date:
    return subject.event.date if isinstance(subject, LiveBirth) else subject.birth_date


def _anchor_lmp(ctx: Context, subject: Any) -> date | None:
    if not isinstance(subject, LiveBirth):
        raise DefinitionError("'lmp' 仅用于活产 / 'lmp' applies to live births only")
    return ctx.lmp_of(subject)


def _anchor_discharge(ctx: Context, subject: Any) -> date | None:
    if not isinstance(subject, LiveBirth):
        raise DefinitionError("'discharge' 仅用于活产 / applies to live births only")
    return discharge(subject.event)


_ANCHORS: dict[str, Callable[[Context, Any], date | None]] = {
    "P1": lambda ctx, s: ctx.p1,
    "P2": lambda ctx, s: ctx.p2,
    "year_start": lambda ctx, s: date(ctx.p2.year, 1, 1),
    "birth": _anchor_birth,
    "lmp": _anchor_lmp,
    "discharge": _anchor_discharge,
}


def date_resolver(expr: str) -> Callable[[Context, Any], date | None]:
    """A date expression parsed once: a function of (context, subject) giving the date, or
    None when its anchor does not exist (no lmp)."""
    m = _DATE_RE.match(expr.strip())
    if m is None:
        raise DefinitionError(f"日期表达式无效 / bad date expression: {expr!r}")
    anchor, sign, days = m.groups()
    base = _ANCHORS[anchor]
    if not days:
        return base
    shift = timedelta(days=int(days) if sign == "+" else -int(days))

    def shifted(ctx: Context, subject: Any) -> date | None:
        value = base(ctx, subject)
        return None if value is None else value + shift
    return shifted


def _on_getter(params: dict) -> Callable[[Context], date]:
    """P1 or P2 of the context, as the block's ``on`` parameter says (default P2)."""
    on = params.get("on", "P2")
    if on not in ("P1", "P2"):
        raise DefinitionError(f"'on' 只能是 P1 或 P2 / 'on' must be P1 or P2: {on!r}")
    return _P1 if on == "P1" else _P2


def _person(subject: Any) -> Person:
    return subject.mother if isinstance(subject, LiveBirth) else subject


@dataclass(frozen=True)
class Block:
    """One named condition of a selection; ``candidates`` may narrow the subjects."""

    name: str
    params: dict
    test: Callable[[Context, Any], bool]
    candidates: Callable[[Context], Iterable[Any]] | None = None
    candidate_subject: str = "person"  # what ``candidates`` yields: person | live_birth

    def spec(self) -> list:
        return [self.name, dict(self.params)]


BLOCKS: dict[str, Callable[[dict], Block]] = {}


def block(name: str):
    def register(factory: Callable[[dict], Block]):
        BLOCKS[name] = factory
        return factory
    return register


def make_block(spec: list | tuple) -> Block:
    """A block from its data form ``[name, {params}]``."""
    if not isinstance(spec, list | tuple) or not spec or not isinstance(spec[0], str):
        raise DefinitionError(f"积木格式应为 [名称, 参数] / block must be [name, params]: {spec!r}")
    name = spec[0]
    params = dict(spec[1]) if len(spec) > 1 and spec[1] else {}
    if name not in BLOCKS:
        raise DefinitionError(f"未知的积木 / unknown block {name!r} (known: {', '.join(sorted(BLOCKS))})")
    try:
        return BLOCKS[name](params)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DefinitionError):
            raise
        raise DefinitionError(f"积木 {name} 参数错误 / bad parameters for block {name}: {exc}") from exc


# ---------------------------------------------------------------- person status on a date
@block("in_scope")
def _in_scope(params: dict) -> Block:
    when = _on_getter(params)
    return Block("in_scope", params, lambda ctx, s: in_scope(_person(s), when(ctx)))


@block("age")
def _age(params: dict) -> Block:
    """Age in completed years on ``on`` within [min, below)."""
    when = _on_getter(params)
    low = int(params.get("min", 0))
    below = params.get("below")
    below = None if below is None else int(below)

    def test(ctx: Context, s: Any) -> bool:
        age = age_years_fast(_person(s).birth_date, when(ctx))
        return age >= low and (below is None or age < below)

    def candidates(ctx: Context) -> list[Person]:
        on = when(ctx)
        start = FOREVER if below is None else add_days(add_years(on, -below), -1)
        return ctx.index.born_between(start, add_days(add_years(on, -low), 1))
    return Block("age", params, test, candidates)


@block("sex")
def _sex(params: dict) -> Block:
    sex = str(params["sex"])
    return Block("sex", params, lambda ctx, s: _person(s).sex == sex)


@block("woman_of_reproductive_age")
def _wra(params: dict) -> Block:
    """``terms.is_woman_of_reproductive_age`` with the fast age (tested equal)."""
    when = _on_getter(params)
    def candidates(ctx: Context) -> list[Person]:
        on = when(ctx)
        return ctx.index.born_between(add_days(add_years(on, -50), -1), add_days(add_years(on, -15), 1))
    return Block("woman_of_reproductive_age", params,
                 lambda ctx, s: _person(s).sex == "2"
                 and 15 <= age_years_fast(_person(s).birth_date, when(ctx)) <= 49,
                 candidates)


@block("married")
def _married(params: dict) -> Block:
    when = _on_getter(params)
    return Block("married", params,
                 lambda ctx, s: is_married(ctx.district, _person(s), when(ctx)))


@block("has_child")
def _has_child(params: dict) -> Block:
    when = _on_getter(params)
    return Block("has_child", params, lambda ctx, s: bool(
        children(ctx.district, _person(s).local_id, when(ctx))))


@block("no_current_pregnancy")
def _no_current_pregnancy(params: dict) -> Block:
    when = _on_getter(params)
    return Block("no_current_pregnancy", params, lambda ctx, s: current_pregnancy(
        ctx.district, _person(s).local_id, when(ctx)) is None)


@block("protected")
def _protected(params: dict) -> Block:
    when = _on_getter(params)
    return Block("protected", params,
                 lambda ctx, s: is_protected(ctx.district, _person(s), when(ctx)))


@block("inflow_settled")
def _inflow_settled(params: dict) -> Block:
    """Registered residents pass; migrants only with inflow_date ≤ P2 − ``months`` months."""
    months = int(params.get("months", 6))

    def test(ctx: Context, s: Any) -> bool:
        person = _person(s)
        if person.residency != "inflow":
            return True
        return person.inflow_date is not None and person.inflow_date <= add_months_fast(ctx.p2, -months)
    return Block("inflow_settled", params, test)


# ---------------------------------------------------------------- events in a window
def _event_dates(ctx: Context, person: Person, type_: str, sub: str | None) -> list[date] | None:
    if sub:
        return ctx.index.detail.get((person.local_id, type_, sub))
    return ctx.index.dates.get((person.local_id, type_))


@block("event")
def _event(params: dict) -> Block:
    """At least ``min_count`` events of ``types`` (and ``condition``/``outcome``/``method``
    when given) dated in [from, to] (``from`` omitted: any time before; cut at P2)."""
    types = list(params["types"])
    sub = params.get("condition") or params.get("outcome") or params.get("method")
    start_expr = params.get("from")
    end_expr = params.get("to", "P2")
    min_count = int(params.get("min_count", 1))

    start_of = None if start_expr is None else date_resolver(start_expr)
    end_of = date_resolver(end_expr)
    table_keys = [(t, sub) if sub else t for t in types]
    always = min_count <= 0 and bool(types)  # no events needed

    def test(ctx: Context, s: Any) -> bool:
        start = FOREVER if start_of is None else start_of(ctx, s)
        end = end_of(ctx, s)
        if start is None or end is None:
            return False
        if always:
            return True
        if end > ctx.p2:
            end = ctx.p2
        if start > end:
            return False
        local_id = (s.mother if isinstance(s, LiveBirth) else s).local_id
        index = ctx.index
        total = 0
        for key in table_keys:
            if sub:
                dates = index.detail.get((local_id, *key))
            else:
                dates = index.dates.get((local_id, key))
            if dates:
                total += bisect_right(dates, end) - bisect_left(dates, start)
                if total >= min_count:
                    return True
        return False

    def candidates(ctx: Context) -> list[Person]:
        seen: dict[str, Person] = {}
        for type_ in types:
            for person in ctx.index.with_type.get(type_, ()):
                seen.setdefault(person.local_id, person)
        return list(seen.values())
    return Block("event", params, test, candidates)


@block("no_event")
def _no_event(params: dict) -> Block:
    inner = _event(params)
    return Block("no_event", params, lambda ctx, s: not inner.test(ctx, s))


@block("event_every_quarter")
def _event_every_quarter(params: dict) -> Block:
    """An event in every calendar quarter that overlaps the period (whole quarter, cut at P2)."""
    types = list(params["types"])
    sub = params.get("condition")

    def test(ctx: Context, s: Any) -> bool:
        person = _person(s)
        dates = sorted(d for t in types for d in (_event_dates(ctx, person, t, sub) or ()))
        start, end = quarter_bounds(ctx.p1)
        while start <= ctx.p2:
            if not ctx.index.count_in(dates, start, min(end, ctx.p2)):
                return False
            start, end = quarter_bounds(add_days(end, 1))
        return True
    return Block("event_every_quarter", params, test)


# ---------------------------------------------------------------- births and deaths
@block("born_in_period")
def _born_in_period(params: dict) -> Block:
    return Block("born_in_period", params,
                 lambda ctx, s: ctx.p1 <= _person(s).birth_date <= ctx.p2,
                 lambda ctx: ctx.index.born_between(ctx.p1, ctx.p2))


@block("alive_after_birth")
def _alive_after_birth(params: dict) -> Block:
    """Not dead on or before min(birth + ``days``, P2)."""
    days = int(params.get("days", 7))

    def test(ctx: Context, s: Any) -> bool:
        person = _person(s)
        limit = min(add_days(person.birth_date, days), ctx.p2)
        return person.death_date is None or person.death_date > limit
    return Block("alive_after_birth", params, test)


@block("died_in_period")
def _died_in_period(params: dict) -> Block:
    return Block("died_in_period", params,
                 lambda ctx, s: s.death_date is not None and ctx.p1 <= s.death_date <= ctx.p2,
                 lambda ctx: ctx.index.died_between(ctx.p1, ctx.p2))


@block("died_aged_below")
def _died_aged_below(params: dict) -> Block:
    years = int(params["years"])
    return Block("died_aged_below", params, lambda ctx, s: s.death_date is not None
                 and age_years_fast(s.birth_date, s.death_date) < years)


@block("died_pregnant_or_postpartum")
def _died_pregnant(params: dict) -> Block:
    """Died during a pregnancy open on the death date, or ≤ ``days`` after any outcome."""
    days = int(params.get("days", 42))

    def test(ctx: Context, s: Any) -> bool:
        death = s.death_date
        if death is None:
            return False
        if any(p.is_open for p in pregnancies(ctx.district, s.local_id, death)):
            return True
        outcomes = ctx.index.dates.get((s.local_id, "pregnancy_outcome"))
        return ctx.index.count_in(outcomes, add_days(death, -days), death) > 0
    return Block("died_pregnant_or_postpartum", params, test)


@block("live_birth_in_period")
def _live_birth_in_period(params: dict) -> Block:
    return Block("live_birth_in_period", params,
                 lambda ctx, s: ctx.p1 <= s.event.date <= ctx.p2,
                 lambda ctx: ctx.index.live_births_between(ctx.p1, ctx.p2), "live_birth")


# ---------------------------------------------------------------- vaccination
def _dose(ctx: Context, person: Person, vaccine: str, dose: int):
    for sd in ctx.schedule.doses_for(person.birth_date):
        if sd.vaccine == vaccine and sd.dose == dose:
            return sd
    return None


@block("dose_target_in_period")
def _dose_target(params: dict) -> Block:
    """The dose is in the person's schedule version and b + age_months is in the period."""
    vaccine, dose = str(params["vaccine"]), int(params["dose"])

    def test(ctx: Context, s: Any) -> bool:
        sd = _dose(ctx, s, vaccine, dose)
        return sd is not None and ctx.p1 <= add_months_fast(s.birth_date, sd.age_months) <= ctx.p2

    def candidates(ctx: Context) -> list[Person]:
        ages = {d.age_months for d in ctx.schedule.doses if d.vaccine == vaccine and d.dose == dose}
        found: dict[str, Person] = {}
        for months in ages:
            start = add_days(add_months_fast(ctx.p1, -months), -3)
            end = add_days(add_months_fast(ctx.p2, -months), 3)
            for person in ctx.index.born_between(start, end):
                found.setdefault(person.local_id, person)
        return list(found.values())
    return Block("dose_target_in_period", params, test, candidates)


@block("dose_recorded_by")
def _dose_recorded_by(params: dict) -> Block:
    """The dose recorded, dated ≤ target date + ``days`` (cut at P2)."""
    vaccine, dose, days = str(params["vaccine"]), int(params["dose"]), int(params.get("days", 30))

    def test(ctx: Context, s: Any) -> bool:
        sd = _dose(ctx, s, vaccine, dose)
        given = ctx.index.first_dose.get((s.local_id, vaccine, dose))
        if sd is None or given is None:
            return False
        return given <= min(add_days(add_months_fast(s.birth_date, sd.age_months), days), ctx.p2)
    return Block("dose_recorded_by", params, test)


def missing_dose_spans(index: DistrictIndex, schedule: Schedule, person: Person, lag: int
                       ) -> list[tuple[date, date | None]]:
    """The P2 values [from, until) on which some dose counts as missing, per dose.

    A dose is missing on P2 when its eligible date is ≤ P2 − lag, its age limit is not
    reached on P2, dose k − 1 (k > 1) is recorded by P2, and it is not itself recorded by P2.
    Each condition is a bound on P2, so each dose gives one span; the spans depend only on
    the child, so they are computed once and shared by every period.
    """
    b = person.birth_date
    first = index.first_dose
    spans = []
    for sd in schedule.doses_for(b):
        eligible = add_months_fast(b, sd.age_months)
        start = add_days(eligible, lag)
        if sd.dose > 1:
            previous = first.get((person.local_id, sd.vaccine, sd.dose - 1))
            if previous is None:
                continue  # never eligible
            start = max(start, add_days(max(eligible, add_days(previous, sd.min_interval_days)),
                                        lag), previous)
        until = add_months_fast(b, sd.max_age_months)
        given = first.get((person.local_id, sd.vaccine, sd.dose))
        if given is not None:
            until = min(until, given)
        if start < until:
            spans.append((start, until))
    return spans


@block("fully_vaccinated")
def _fully_vaccinated(params: dict) -> Block:
    """Every dose eligible by P2 − ``lag_days`` and not past its age limit on P2 is recorded
    (service-catalogue.md eligible dates; a child with no dose due counts as vaccinated)."""
    lag = int(params.get("lag_days", 30))

    def test(ctx: Context, s: Any) -> bool:
        key = ("missing_dose_spans", lag, s.local_id)
        spans = ctx.index.memo.get(key)
        if spans is None:
            spans = missing_dose_spans(ctx.index, ctx.schedule, s, lag)
            ctx.index.memo[key] = spans
        p2 = ctx.p2
        return not any(start <= p2 < until for start, until in spans)
    return Block("fully_vaccinated", params, test)
