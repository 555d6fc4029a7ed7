"""Minimal, independent bundle reader for the reference indicators, campaign and exchange.

Written from ../shared/spec/bundle-format.md only (CSV folders; no .xlsx): it keeps
the rows the loading rules keep and drops the rejected ones, so the reference computes
on exactly what the product has loaded. It does not write load reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from acceptance import SHARED

ORG_LEVELS = {"county", "town", "zone", "village"}
URBAN_RURAL = {"111", "112", "121", "122", "123", "210", "220"}
FACILITY_KINDS = {"health_center", "community_center", "village_clinic", "mch_center", "hospital"}
RESIDENCIES = {"registered_present", "registered_absent", "inflow"}
MARITAL = {"10", "20", "21", "22", "23", "30", "40", "90"}
EVENT_TYPES = {
    "marriage", "preconception_checkup", "folic_acid", "pregnancy_registered",
    "maternal_handbook", "antenatal_visit", "pregnancy_outcome", "postpartum_visit",
    "postpartum_42d", "newborn_visit", "child_checkup", "vaccination", "contraception",
    "birth_registration", "health_checkup", "home_visit", "elderly_checkup",
    "chronic_diagnosis", "chronic_followup",
}
OUTCOMES = {"live_birth", "stillbirth", "miscarriage", "induced_abortion"}
METHODS = {"iud", "implant", "sterilization", "injection", "pill", "condom", "removed"}
CONDITIONS = {"hypertension", "diabetes"}
PARENT_LEVELS = {"town": {"county"}, "zone": {"town"}, "village": {"zone", "town"}}
SCHEDULE_CSV = Path(SHARED, "spec/immunization-schedule.csv")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Dose:
    version: str
    effective_from: dt.date
    vaccine: str
    dose: int
    age_months: int
    min_interval_days: int
    max_age_months: int


@dataclass
class OrgUnit:
    code: str
    level: str
    parent: str
    urban_rural: str


@dataclass
class Facility:
    code: str
    kind: str
    orgunit: str


@dataclass
class Person:
    local_id: str
    id_number: str
    name: str
    sex: str
    birth: dt.date
    village: str
    residency: str
    inflow_date: dt.date | None
    marital: str
    mother: str
    death: dt.date | None


@dataclass
class Event:
    event_id: str
    person: str
    type: str
    date: dt.date
    lmp: dt.date | None = None
    outcome: str = ""
    discharge: dt.date | None = None
    vaccine: str = ""
    dose: int = 0
    method: str = ""
    condition: str = ""
    partner: str = ""
    facility: str = ""


@dataclass
class Bundle:
    orgunits: dict[str, OrgUnit]
    facilities: dict[str, Facility]
    persons: dict[str, Person]
    events: list[Event]
    schedule: list[Dose]
    by_person: dict[str, list[Event]] = field(default_factory=dict)
    partner_marriages: dict[str, list[Event]] = field(default_factory=dict)
    children: dict[str, list[Person]] = field(default_factory=dict)


def parse_date(text: str) -> dt.date | None:
    """A strict YYYY-MM-DD date, or None when unparseable."""
    if not _DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_schedule(path: Path = SCHEDULE_CSV) -> list[Dose]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            Dose(r["schedule"], dt.date.fromisoformat(r["effective_from"]), r["vaccine"], int(r["dose"]),
                 int(r["age_months"]), int(r["min_interval_days"]), int(r["max_age_months"]))
            for r in csv.DictReader(fh)
        ]


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of one CSV file, cells stripped, short rows padded, empty lines skipped."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    out = []
    for raw in rows[1:]:
        if not raw or all(not c.strip() for c in raw) and len(raw) <= 1:
            continue
        cells = [c.strip() for c in raw] + [""] * max(0, len(header) - len(raw))
        out.append({h: cells[i] for i, h in enumerate(header) if h})
    return out


def _dates_ok(row: dict[str, str], names: list[str]) -> bool:
    return all(not row.get(n, "") or parse_date(row[n]) is not None for n in names)


def _last_by_key(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out[r[key]] = r
    return out


def load_orgunits(rows: list[dict[str, str]]) -> dict[str, OrgUnit]:
    good = []
    for r in rows:
        level = r.get("level", "")
        if not r.get("code") or not r.get("name") or level not in ORG_LEVELS:
            continue
        if level != "county" and not r.get("parent_code"):
            continue
        if level == "village" and r.get("urban_rural", "") not in URBAN_RURAL:
            continue
        good.append(r)
    units = {c: r for c, r in _last_by_key(good, "code").items()}
    changed = True
    while changed:
        changed = False
        for code in list(units):
            r = units[code]
            if r["level"] == "county":
                continue
            parent = units.get(r["parent_code"])
            if parent is None or parent["level"] not in PARENT_LEVELS[r["level"]]:
                del units[code]
                changed = True
    return {c: OrgUnit(c, r["level"], r.get("parent_code", "") if r["level"] != "county" else "",
                       r.get("urban_rural", "")) for c, r in units.items()}


def load_facilities(rows: list[dict[str, str]], units: dict[str, OrgUnit]) -> dict[str, Facility]:
    good = []
    for r in rows:
        if not r.get("code") or not r.get("name") or r.get("kind", "") not in FACILITY_KINDS:
            continue
        if r.get("orgunit_code", "") not in units:
            continue
        serves = [s.strip() for s in r.get("serves", "").split(";") if s.strip()]
        if any(s not in units or units[s].level == "county" for s in serves):
            continue
        good.append(r)
    return {c: Facility(c, r["kind"], r["orgunit_code"]) for c, r in _last_by_key(good, "code").items()}


def load_persons(rows: list[dict[str, str]], units: dict[str, OrgUnit]) -> dict[str, Person]:
    good = []
    for r in rows:
        if not all(r.get(k) for k in ("local_id", "name", "sex", "birth_date", "village_code", "residency")):
            continue
        if r["sex"] not in {"1", "2"} or r["residency"] not in RESIDENCIES:
            continue
        if r["residency"] == "inflow" and not r.get("inflow_date"):
            continue
        if not _dates_ok(r, ["birth_date", "inflow_date", "death_date"]):
            continue
        if r.get("marital_status") and r["marital_status"] not in MARITAL:
            continue
        unit = units.get(r["village_code"])
        if unit is None or unit.level != "village":
            continue
        good.append(r)
    persons = _last_by_key(good, "local_id")
    changed = True
    while changed:
        changed = False
        for pid in list(persons):
            mother = persons[pid].get("mother_local_id", "")
            if mother and mother not in persons:
                del persons[pid]
                changed = True
    out = {}
    for pid, r in persons.items():
        out[pid] = Person(
            pid, r.get("id_number", "").upper(), r["name"], r["sex"], parse_date(r["birth_date"]),
            r["village_code"], r["residency"],
            parse_date(r["inflow_date"]) if r.get("inflow_date") else None,
            r.get("marital_status", ""), r.get("mother_local_id", ""),
            parse_date(r["death_date"]) if r.get("death_date") else None,
        )
    return out


def load_events(rows: list[dict[str, str]], persons: dict[str, Person], facilities: dict[str, Facility],
                schedule: list[Dose]) -> list[Event]:
    vaccines = {d.vaccine for d in schedule}
    good: dict[str, Event] = {}
    for r in rows:
        g = r.get
        if not all(g(k) for k in ("event_id", "person_local_id", "type", "date")):
            continue
        typ = g("type")
        if typ not in EVENT_TYPES or parse_date(g("date")) is None:
            continue
        ev = Event(g("event_id"), g("person_local_id"), typ, parse_date(g("date")))
        if typ == "pregnancy_registered":
            if not g("lmp") or parse_date(g("lmp")) is None:
                continue
            ev.lmp = parse_date(g("lmp"))
        if typ == "pregnancy_outcome":
            if g("outcome", "") not in OUTCOMES:
                continue
            if g("discharge_date"):
                if parse_date(g("discharge_date")) is None:
                    continue
                ev.discharge = parse_date(g("discharge_date"))
            ev.outcome = g("outcome")
        if typ == "vaccination":
            dose = g("dose", "")
            if g("vaccine", "") not in vaccines or not dose.isdigit() or int(dose) < 1:
                continue
            ev.vaccine, ev.dose = g("vaccine"), int(dose)
        if typ == "contraception":
            if g("method", "") not in METHODS:
                continue
            ev.method = g("method")
        if typ in ("chronic_diagnosis", "chronic_followup"):
            if g("condition", "") not in CONDITIONS:
                continue
            ev.condition = g("condition")
        person = persons.get(ev.person)
        if person is None:
            continue
        if g("partner_local_id"):
            if g("partner_local_id") not in persons:
                continue
            ev.partner = g("partner_local_id") if typ == "marriage" else ""
        if g("facility_code"):
            if g("facility_code") not in facilities:
                continue
            ev.facility = g("facility_code")
        if ev.date < person.birth:
            continue
        good[ev.event_id] = ev
    return list(good.values())


def load_bundle(folder: str | Path) -> Bundle:
    folder = Path(folder)
    schedule = read_schedule()
    units = load_orgunits(read_table(folder / "orgunits.csv"))
    facilities = load_facilities(read_table(folder / "facilities.csv"), units)
    persons = load_persons(read_table(folder / "persons.csv"), units)
    events = load_events(read_table(folder / "events.csv"), persons, facilities, schedule)
    b = Bundle(units, facilities, persons, events, schedule)
    for ev in sorted(events, key=lambda e: (e.date, e.event_id)):
        b.by_person.setdefault(ev.person, []).append(ev)
        if ev.type == "marriage" and ev.partner:
            b.partner_marriages.setdefault(ev.partner, []).append(ev)
    for p in persons.values():
        if p.mother:
            b.children.setdefault(p.mother, []).append(p)
    return b
