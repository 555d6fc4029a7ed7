"""Which events a set of indicators can look at for periods from P1 on (pure).

Reading the whole register is the costliest step of a run (a district keeps ten years of
vaccinations, check-ups and follow-ups). Each block says how far back it looks — a window
``from`` P1/P2/year start/lmp minus N days, a calendar quarter, children's vaccinations —
so the loader reads only events that some block of some indicator could reach, and none
dated after the last P2 ("events after P2 are ignored"). Catalogue terms (marriage,
pregnancy, protection) keep their types whole. ``prune_district`` applies the same rule to
facts in memory; tests check it never changes a result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from weiji.indicators.blocks import TERM_TYPES
from weiji.indicators.definitions import Indicator
from weiji.rules.dates import add_days, add_months, quarter_bounds
from weiji.rules.facts import District

_FROM_RE = re.compile(r"^(P1|P2|year_start|birth|lmp|discharge)\s*(?:([+-])\s*(\d+))?$")
VACCINE_BLOCKS = frozenset({"dose_target_in_period", "dose_recorded_by", "fully_vaccinated"})
NO_EVENT_BLOCKS = frozenset({
    "in_scope", "age", "sex", "woman_of_reproductive_age", "married", "has_child",
    "no_current_pregnancy", "protected", "inflow_settled", "born_in_period",
    "alive_after_birth", "died_in_period", "died_aged_below", "died_pregnant_or_postpartum",
    "live_birth_in_period",
})
ALL = None  # floor meaning "every date"


@dataclass
class EventNeeds:
    """Per event type, the earliest date needed (``None``: all); types absent: not needed."""

    until: date
    floors: dict[str, date | None] = field(default_factory=dict)
    vaccination_born_from: date | None = None  # vaccinations of persons born on/after
    everything: bool = False

    def need(self, type_: str, floor: date | None) -> None:
        if type_ in self.floors and (self.floors[type_] is None or floor is None):
            self.floors[type_] = None
        elif type_ in self.floors:
            self.floors[type_] = min(self.floors[type_], floor)
        else:
            self.floors[type_] = floor

    def keeps(self, type_: str, day: date, birth: date | None = None) -> bool:
        if day > self.until:
            return False
        if self.everything:
            return True
        if type_ not in self.floors:
            return False
        floor = self.floors[type_]
        if floor is not None and day < floor:
            return False
        if type_ == "vaccination" and self.vaccination_born_from is not None:
            return birth is None or birth >= self.vaccination_born_from
        return True


def _floor(expr: str | None, first: date, *, birth_bounded: bool) -> date | None:
    if expr is None:
        return ALL
    m = _FROM_RE.match(expr.strip())
    if m is None:
        return ALL
    anchor, sign, days = m.groups()
    back = int(days) if days and sign == "-" else 0
    if anchor in ("P1", "P2"):
        base = first
    elif anchor == "year_start":
        base = date(first.year, 1, 1)
    elif anchor == "lmp":
        base = add_days(first, -309)  # an outcome ends a pregnancy at most 308 days after lmp
    elif anchor == "birth" and birth_bounded:
        base = first
    else:  # a person's birth, a discharge date: no bound
        return ALL
    return add_days(base, -back)


def event_needs(indicators: Iterable[Indicator], first: date, until: date) -> EventNeeds:
    """What the indicators can read for periods with P1 ≥ ``first`` and P2 ≤ ``until``."""
    needs = EventNeeds(until=until)
    for type_ in TERM_TYPES:
        needs.need(type_, ALL)
    for indicator in indicators:
        den = indicator.denominator
        for selection, blocks in ((den, den.blocks), (indicator.numerator,
                                  indicator.numerator.blocks if indicator.numerator_independent
                                  else den.blocks + indicator.numerator.blocks)):
            names = {b.name for b in blocks}
            birth_bounded = selection.subject == "live_birth" or "born_in_period" in names
            for block in blocks:
                params = block.params
                if block.name in ("event", "no_event"):
                    for type_ in params["types"]:
                        needs.need(type_, _floor(params.get("from"), first,
                                                 birth_bounded=birth_bounded))
                elif block.name == "event_every_quarter":
                    for type_ in params["types"]:
                        needs.need(type_, quarter_bounds(first)[0])
                elif block.name in VACCINE_BLOCKS:
                    needs.need("vaccination", ALL)
                    # dose targets fall at most 84 months (7 years) after birth; children
                    # counted as vaccinated are under 7 on P2.
                    born_from = add_days(add_months(first, -96), -1)
                    needs.vaccination_born_from = (
                        born_from if needs.vaccination_born_from is None
                        else min(needs.vaccination_born_from, born_from))
                elif block.name not in NO_EVENT_BLOCKS:
                    needs.everything = True  # a block we cannot reason about: read it all
    return needs


def prune_district(district: District, needs: EventNeeds) -> District:
    """The district with only the events ``needs`` keeps (what the database loader reads)."""
    persons = district.persons
    events = []
    for person_events in district.events.values():
        for ev in person_events:
            person = persons.get(ev.person)
            if needs.keeps(ev.type, ev.date, person.birth_date if person else None):
                events.append(ev)
    return District.build(units=district.units.values(),
                          facilities=district.facilities.values(),
                          persons=persons.values(), events=events)
