"""Reference implementation of the default indicators (indicators.md, version 1).

Written from the spec text only, as plainly as possible, to check `weiji indicators`:

    python -m acceptance.ref_indicators BUNDLE --from 2026-01 --to 2026-06 --out FILE.csv

Each indicator is a function returning (denominator items, numerator items); an item is
the person whose unit and population it counts in. The rows are then counted per unit
(every village, town and the county) and population (registered, inflow, all).
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
from collections import Counter
from fractions import Fraction
from pathlib import Path

from acceptance.ref_ind_load import Bundle, Event, Person, load_bundle
from acceptance.ref_ind_terms import (
    add_months,
    age_years,
    children,
    current_pregnancy,
    days,
    discharge,
    ended_lmp,
    events_of,
    first_doses,
    in_scope,
    married,
    open_lmps,
    pregnancy_lmps,
    protected,
    reproductive_age_woman,
    schedule_version,
)

COLUMNS = ["period_start", "period_end", "unit_code", "population", "indicator",
           "numerator", "denominator", "value", "target", "meets_target"]
POPULATIONS = {"registered_present": "registered", "inflow": "inflow"}
TARGETS = {
    ("fully_vaccinated_rate", "inflow"): Fraction("0.95"),
    ("contraception_coverage", "inflow"): Fraction("1.0"),
    ("fp_guidance_coverage", "inflow"): Fraction("0.95"),
}
SCALES = {"maternal_mortality": 100000, "infant_mortality": 1000}
FP_GUIDANCE_TYPES = ("preconception_checkup", "folic_acid", "contraception", "health_checkup", "home_visit")


class Period:
    def __init__(self, b: Bundle, p1: dt.date, p2: dt.date):
        self.b, self.p1, self.p2 = b, p1, p2

    def within(self, d: dt.date | None) -> bool:
        return d is not None and self.p1 <= d <= self.p2

    def counted(self) -> list[Person]:
        """Persons who are in some row at all (registered_absent are in none)."""
        return [p for p in self.b.persons.values() if p.residency in POPULATIONS]

    def in_scope(self) -> list[Person]:
        return [p for p in self.counted() if in_scope(p, self.p2)]

    def live_births(self) -> list[Event]:
        out = []
        for e in self.b.events:
            if e.type == "pregnancy_outcome" and e.outcome == "live_birth" and self.within(e.date):
                if self.b.persons[e.person].residency in POPULATIONS:
                    out.append(e)
        return out

    def has_event(self, p: Person, types: tuple[str, ...], lo: dt.date, hi: dt.date,
                  condition: str | None = None) -> bool:
        return any(lo <= e.date <= hi and (condition is None or e.condition == condition)
                   for e in events_of(self.b, p, self.p2, *types))

    def birth_pregnancy(self, birth: Event) -> dt.date | None:
        mother = self.b.persons[birth.person]
        return ended_lmp(pregnancy_lmps(self.b, mother, self.p2), birth.date)


def _mother(per: Period, e: Event) -> Person:
    return per.b.persons[e.person]


def ind_live_births(per: Period):
    return [_mother(per, e) for e in per.live_births()], None


def ind_early_registration(per: Period):
    den, num = [], []
    for e in per.live_births():
        m = _mother(per, e)
        den.append(m)
        lmp = per.birth_pregnancy(e)
        if lmp is not None and per.has_event(m, ("maternal_handbook",), lmp, lmp + days(90)):
            num.append(m)
    return den, num


def ind_antenatal_5(per: Period):
    den, num = [], []
    for e in per.live_births():
        m = _mother(per, e)
        den.append(m)
        lmp = per.birth_pregnancy(e)
        if lmp is None:
            continue
        handbook = per.has_event(m, ("maternal_handbook",), lmp, e.date)
        visits = [v for v in events_of(per.b, m, per.p2, "antenatal_visit") if lmp <= v.date <= e.date]
        if handbook and len(visits) >= 4:
            num.append(m)
    return den, num


def ind_postpartum(per: Period):
    den, num = [], []
    for e in per.live_births():
        m = _mother(per, e)
        den.append(m)
        x = discharge(e)
        if per.has_event(m, ("postpartum_visit",), x, min(x + days(28), per.p2)):
            num.append(m)
    return den, num


def ind_newborn_visit(per: Period):
    den, num = [], []
    for c in per.counted():
        if not per.within(c.birth):
            continue
        if c.death is not None and c.death <= min(c.birth + days(7), per.p2):
            continue
        den.append(c)
        if per.has_event(c, ("newborn_visit",), c.birth, min(c.birth + days(28), per.p2)):
            num.append(c)
    return den, num


def _young_children(per: Period) -> list[Person]:
    return [c for c in per.in_scope() if age_years(c.birth, per.p2) < 7]


def ind_child_health(per: Period):
    den = _young_children(per)
    num = [c for c in den if per.has_event(c, ("newborn_visit", "child_checkup"), per.p1, per.p2)]
    return den, num


def vaccine_dose_codes(b: Bundle) -> list[tuple[str, int]]:
    return sorted({(d.vaccine, d.dose) for d in b.schedule})


def ind_vaccine_timely(per: Period, vaccine: str, dose: int):
    den, num = [], []
    for c in per.in_scope():
        for d in schedule_version(per.b, c):
            if (d.vaccine, d.dose) != (vaccine, dose):
                continue
            target = add_months(c.birth, d.age_months)
            if not per.within(target):
                continue
            den.append(c)
            given = first_doses(per.b, c, per.p2).get((vaccine, dose))
            if given is not None and given <= target + days(30):
                num.append(c)
    return den, num


def fully_vaccinated(per: Period, c: Person) -> bool:
    given = first_doses(per.b, c, per.p2)
    for d in schedule_version(per.b, c):
        eligible = add_months(c.birth, d.age_months)
        if d.dose > 1:
            prev = given.get((d.vaccine, d.dose - 1))
            if prev is None:
                continue
            eligible = max(eligible, prev + days(d.min_interval_days))
        limit_reached = per.p2 >= add_months(c.birth, d.max_age_months)
        if eligible <= per.p2 - days(30) and not limit_reached and (d.vaccine, d.dose) not in given:
            return False
    return True


def ind_fully_vaccinated(per: Period):
    den = _young_children(per)
    return den, [c for c in den if fully_vaccinated(per, c)]


def ind_elderly(per: Period):
    den = []
    for p in per.in_scope():
        if age_years(p.birth, per.p2) < 65:
            continue
        if p.residency == "inflow" and p.inflow_date > add_months(per.p2, -6):
            continue
        den.append(p)
    jan1 = dt.date(per.p2.year, 1, 1)
    return den, [p for p in den if per.has_event(p, ("elderly_checkup",), jan1, per.p2)]


def quarters(p1: dt.date, p2: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    start = dt.date(p1.year, 3 * ((p1.month - 1) // 3) + 1, 1)
    while start <= p2:
        end_month = start.month + 2
        end = dt.date(start.year, end_month, calendar.monthrange(start.year, end_month)[1])
        out.append((start, end))
        start = end + days(1)
    return out


def ind_chronic(per: Period, condition: str):
    den = [p for p in per.in_scope()
           if any(e.condition == condition for e in events_of(per.b, p, per.p1, "chronic_diagnosis"))]
    qs = quarters(per.p1, per.p2)
    num = [p for p in den
           if all(per.has_event(p, ("chronic_followup",), qs_, min(qe, per.p2), condition) for qs_, qe in qs)]
    return den, num


def contraception_population(per: Period, p: Person) -> bool:
    d = per.p2
    if not (reproductive_age_woman(p, d) and married(per.b, p, d) and children(per.b, p, d)):
        return False
    if current_pregnancy(per.b, p, d) is not None:
        return False
    return not any(d - days(42) < o.date for o in events_of(per.b, p, d, "pregnancy_outcome"))


def ind_contraception(per: Period):
    den = [p for p in per.in_scope() if contraception_population(per, p)]
    return den, [p for p in den if protected(per.b, p, per.p2)]


def ind_fp_guidance(per: Period):
    den = [p for p in per.in_scope() if reproductive_age_woman(p, per.p2) and married(per.b, p, per.p2)]
    lo = per.p2 - days(365)
    return den, [p for p in den if per.has_event(p, FP_GUIDANCE_TYPES, lo, per.p2)]


def maternal_death(per: Period, p: Person) -> bool:
    death = p.death
    if open_lmps(per.b, p, death):
        return True
    return any(o.date <= death <= o.date + days(42) for o in events_of(per.b, p, death, "pregnancy_outcome"))


def ind_maternal_mortality(per: Period):
    den = [_mother(per, e) for e in per.live_births()]
    num = [p for p in per.counted() if per.within(p.death) and maternal_death(per, p)]
    return den, num


def ind_infant_mortality(per: Period):
    den = [_mother(per, e) for e in per.live_births()]
    num = [p for p in per.counted() if per.within(p.death) and age_years(p.birth, p.death) < 1]
    return den, num


def indicator_functions(b: Bundle) -> dict:
    funcs = {
        "live_births": ind_live_births,
        "early_registration_rate": ind_early_registration,
        "antenatal_5_rate": ind_antenatal_5,
        "postpartum_visit_rate": ind_postpartum,
        "newborn_visit_rate": ind_newborn_visit,
        "child_health_mgmt_rate": ind_child_health,
        "fully_vaccinated_rate": ind_fully_vaccinated,
        "elderly_mgmt_rate": ind_elderly,
        "hypertension_followup_rate": lambda per: ind_chronic(per, "hypertension"),
        "diabetes_followup_rate": lambda per: ind_chronic(per, "diabetes"),
        "contraception_coverage": ind_contraception,
        "fp_guidance_coverage": ind_fp_guidance,
        "maternal_mortality": ind_maternal_mortality,
        "infant_mortality": ind_infant_mortality,
    }
    for vaccine, dose in vaccine_dose_codes(b):
        funcs[f"vaccine_timely_rate:{vaccine}_{dose}"] = (
            lambda per, v=vaccine, k=dose: ind_vaccine_timely(per, v, k))
    return funcs


def unit_path(b: Bundle, village: str) -> list[str]:
    """The village, its town (through a zone) and the county."""
    out, code = [], village
    while code:
        u = b.orgunits[code]
        if u.level != "zone":
            out.append(code)
        code = u.parent
    return out


def four_decimals(fr: Fraction) -> str:
    scaled = fr * 10000
    n = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return f"{n // 10000}.{n % 10000:04d}"


def tally(b: Bundle, items: list[Person]) -> Counter:
    c: Counter = Counter()
    for p in items:
        pop = POPULATIONS[p.residency]
        for unit in unit_path(b, p.village):
            c[(unit, pop)] += 1
            c[(unit, "all")] += 1
    return c


def compute(b: Bundle, p1: dt.date, p2: dt.date) -> list[dict[str, str]]:
    per = Period(b, p1, p2)
    units = sorted(u.code for u in b.orgunits.values() if u.level != "zone")
    rows = []
    for name, func in indicator_functions(b).items():
        den_items, num_items = func(per)
        if num_items is None:
            counts = tally(b, den_items)
        else:
            den, num = tally(b, den_items), tally(b, num_items)
        for unit in units:
            for pop in ("all", "inflow", "registered"):
                row = {"period_start": p1.isoformat(), "period_end": p2.isoformat(), "unit_code": unit,
                       "population": pop, "indicator": name, "target": "", "meets_target": ""}
                if num_items is None:
                    n = counts[(unit, pop)]
                    row.update(numerator=str(n), denominator="", value=four_decimals(Fraction(n)))
                else:
                    n, d = num[(unit, pop)], den[(unit, pop)]
                    row.update(numerator=str(n), denominator=str(d), value="")
                    if d:
                        row["value"] = four_decimals(Fraction(n * SCALES.get(name, 1), d))
                    target = TARGETS.get((name, pop))
                    if target is not None:
                        row["target"] = four_decimals(target)
                        if d:
                            row["meets_target"] = "true" if Fraction(n, d) >= target else "false"
                rows.append(row)
    rows.sort(key=lambda r: (r["unit_code"], r["population"], r["indicator"]))
    return rows


def month_bounds(first: str, last: str) -> tuple[dt.date, dt.date]:
    y1, m1 = map(int, first.split("-"))
    y2, m2 = map(int, last.split("-"))
    return dt.date(y1, m1, 1), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])


def write_rows(rows: list[dict[str, str]], out: str | Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="reference indicators (indicators.md)")
    ap.add_argument("bundle")
    ap.add_argument("--from", dest="first", required=True)
    ap.add_argument("--to", dest="last", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    p1, p2 = month_bounds(a.first, a.last)
    write_rows(compute(load_bundle(a.bundle), p1, p2), a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
