"""An independent, deliberately plain implementation of the bundle loading rules and the
`weiji due` list, written from the spec text only (bundle-format.md, service-catalogue.md).

It is the oracle the acceptance tests compare the product with: no Django, no database,
standard library + dateutil.  Clarity over speed.

    python -m acceptance.reference load BUNDLE_DIR [--report FILE.json]
    python -m acceptance.reference due BUNDLE_DIR --as-of D --out FILE.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dateutil.relativedelta import relativedelta

from acceptance import SHARED

SCHEDULE_CSV = Path(SHARED, "spec/immunization-schedule.csv")
_LOCAL_SCHEDULE = Path(__file__).with_name("immunization-schedule.csv")

FILES = ("orgunits.csv", "facilities.csv", "persons.csv", "events.csv")
KEYS = {"orgunits.csv": "code", "facilities.csv": "code", "persons.csv": "local_id",
        "events.csv": "event_id"}

LEVELS = ("county", "town", "zone", "village")
URBAN_RURAL = ("111", "112", "121", "122", "123", "210", "220")
FACILITY_KINDS = ("health_center", "community_center", "village_clinic", "mch_center", "hospital")
SEXES = ("1", "2")
RESIDENCIES = ("registered_present", "registered_absent", "inflow")
MARITAL = ("10", "20", "21", "22", "23", "30", "40", "90")
EVENT_TYPES = (
    "marriage", "preconception_checkup", "folic_acid", "pregnancy_registered",
    "maternal_handbook", "antenatal_visit", "pregnancy_outcome", "postpartum_visit",
    "postpartum_42d", "newborn_visit", "child_checkup", "vaccination", "contraception",
    "birth_registration", "health_checkup", "home_visit", "elderly_checkup",
    "chronic_diagnosis", "chronic_followup",
)
OUTCOMES = ("live_birth", "stillbirth", "miscarriage", "induced_abortion")
METHODS = ("iud", "implant", "sterilization", "injection", "pill", "condom", "removed")
CONDITIONS = ("hypertension", "diabetes")
TYPE_REQUIRED = {
    "pregnancy_registered": ("lmp",),
    "pregnancy_outcome": ("outcome",),
    "vaccination": ("vaccine", "dose"),
    "contraception": ("method",),
    "chronic_followup": ("condition",),
    "chronic_diagnosis": ("condition",),
}

REASONS = {
    "missing": ("缺少必填值", "missing required value"),
    "bad_date": ("日期无法解析", "unparseable date"),
    "bad_enum": ("未知的类型或枚举值", "unknown type/enum value"),
    "unknown_ref": ("引用的代码不存在", "unknown code it refers to"),
    "before_birth": ("事件日期早于出生日期", "event before the person's birth"),
}

_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date(text: str) -> dt.date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def iso(d: dt.date) -> str:
    return d.isoformat()


# --------------------------------------------------------------------------- reading
@dataclass
class Row:
    line: int
    cells: dict[str, str]
    error: tuple[str, str] | None = None      # (column, reason)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def read_csv(path: Path) -> list[Row]:
    """Rows of one CSV with the physical line where each record starts (header = 1)."""
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[Row] = []
    last_line = 0
    for cells in reader:
        start = last_line + 1
        last_line = reader.line_num
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            # An empty line is not a row.  A line whose cells are all empty or whitespace
            # (",,,", "   ") is read the same way: the spec's "empty line" after its
            # "whitespace in a cell is ignored" (the stricter reading would reject it as a
            # row with its key missing).
            continue
        values = {}
        for i, name in enumerate(header):
            if name in values:  # first occurrence of a repeated header wins
                continue
            values[name] = cells[i].strip() if i < len(cells) else ""
        rows.append(Row(line=start, cells=values))
    return rows


def _xlsx_text(value) -> str:
    """A workbook cell as the text a CSV would hold: real date cells as YYYY-MM-DD,
    whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path) -> dict[str, list[Row]]:
    """Each table's rows from the sheet named like the file without .csv (row = sheet row).
    openpyxl is the one non-stdlib reader here: parsing the XML by hand adds nothing."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    out: dict[str, list[Row]] = {}
    for fname in FILES:
        sheet = fname.removesuffix(".csv")
        if sheet not in wb.sheetnames:
            out[fname] = []
            continue
        ws = wb[sheet]
        header: list[str] | None = None
        rows: list[Row] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_xlsx_text(v).strip() for v in values]
            if header is None:
                header = cells
                continue
            if not any(cells):      # an empty sheet row is not a row
                continue
            row = {}
            for i, name in enumerate(header):
                if name and name not in row:
                    row[name] = cells[i] if i < len(cells) else ""
            rows.append(Row(line=number, cells=row))
        out[fname] = rows
    return out


def load_schedule() -> list[dict]:
    path = SCHEDULE_CSV if SCHEDULE_CSV.exists() else _LOCAL_SCHEDULE
    with open(path, encoding="utf-8-sig", newline="") as fh:
        out = []
        for r in csv.DictReader(fh):
            out.append({
                "schedule": r["schedule"].strip(),
                "effective_from": dt.date.fromisoformat(r["effective_from"].strip()),
                "vaccine": r["vaccine"].strip(),
                "dose": int(r["dose"]),
                "age_months": int(r["age_months"]),
                "min_interval_days": int(r["min_interval_days"]),
                "max_age_months": int(r["max_age_months"]),
            })
        return out


# --------------------------------------------------------------------------- row checks
def _first_problem(row: Row, checks: list[tuple[str, str, object]]) -> tuple[str, str] | None:
    """checks: (column, kind, arg) in order; kinds: required, date, enum, posint."""
    for column, kind, arg in checks:
        value = row.get(column)
        if kind == "required":
            if value == "" and (arg is None or arg(row)):
                return column, "missing"
        elif value == "":
            continue
        elif kind == "date":
            if parse_date(value) is None:
                return column, "bad_date"
        elif kind == "enum":
            if value not in arg:
                return column, "bad_enum"
        elif kind == "posint":
            if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
                return column, "bad_enum"
    return None


def _intrinsic(fname: str, row: Row) -> tuple[str, str] | None:
    def is_village(r):
        return r.get("level") == "village"

    def not_county(r):
        return r.get("level") != "county"

    if fname == "orgunits.csv":
        checks = [("code", "required", None), ("name", "required", None),
                  ("level", "required", None), ("level", "enum", LEVELS),
                  ("parent_code", "required", not_county),
                  ("urban_rural", "required", is_village)]
        problem = _first_problem(row, checks)
        if problem:
            return problem
        if is_village(row) and row.get("urban_rural") not in URBAN_RURAL:
            return "urban_rural", "bad_enum"
        return None
    if fname == "facilities.csv":
        return _first_problem(row, [
            ("code", "required", None), ("name", "required", None),
            ("kind", "required", None), ("kind", "enum", FACILITY_KINDS),
            ("orgunit_code", "required", None)])
    if fname == "persons.csv":
        return _first_problem(row, [
            ("local_id", "required", None), ("name", "required", None),
            ("sex", "required", None), ("sex", "enum", SEXES),
            ("birth_date", "required", None), ("birth_date", "date", None),
            ("village_code", "required", None),
            ("residency", "required", None), ("residency", "enum", RESIDENCIES),
            ("inflow_date", "required", lambda r: r.get("residency") == "inflow"),
            ("inflow_date", "date", None),
            ("marital_status", "enum", MARITAL),
            ("death_date", "date", None)])
    # events
    checks = [("event_id", "required", None), ("person_local_id", "required", None),
              ("type", "required", None), ("type", "enum", EVENT_TYPES),
              ("date", "required", None), ("date", "date", None)]
    problem = _first_problem(row, checks)
    if problem:
        return problem
    # then column by column in the spec's order; a type's own columns are required
    etype = row.get("type")
    needed = TYPE_REQUIRED.get(etype, ())

    def required_for_type(column):
        return ("required", lambda r, c=column: c in needed)

    checks = []
    for column, kind, arg in (("lmp", "date", None), ("outcome", "enum", OUTCOMES),
                              ("discharge_date", "date", None),
                              ("vaccine", "enum", schedule_vaccines()),
                              ("dose", "posint", None), ("method", "enum", METHODS),
                              ("condition", "enum", CONDITIONS)):
        checks.append((column, *required_for_type(column)))
        checks.append((column, kind, arg))
    return _first_problem(row, checks)


@functools.cache
def schedule_vaccines() -> frozenset[str]:
    """A vaccine not in the schedule is reported like an unknown enum value (as the public
    example's expected-load.json does)."""
    return frozenset(s["vaccine"] for s in load_schedule())


# --------------------------------------------------------------------------- loading
@dataclass
class Bundle:
    orgunits: dict[str, dict]
    facilities: dict[str, dict]
    persons: dict[str, dict]
    events: dict[str, dict]
    report: dict


def load_bundle(folder: str | os.PathLike) -> Bundle:
    folder = Path(folder)
    if folder.suffix.lower() == ".xlsx":
        rows = read_xlsx(folder)
    else:
        rows = {f: (read_csv(folder / f) if (folder / f).exists() else []) for f in FILES}
    for fname, rs in rows.items():
        for r in rs:
            r.error = _intrinsic(fname, r)

    def final(fname: str) -> dict[str, Row]:
        """key -> the last not-rejected row with that key (a later row updates an earlier)."""
        out: dict[str, Row] = {}
        for r in rows[fname]:
            if r.error is None:
                out[r.get(KEYS[fname])] = r
        return out

    parent_levels = {"village": ("zone", "town"), "zone": ("town",), "town": ("county",)}
    changed = True
    while changed:     # greatest fixed point: reject rows referring to rejected/absent rows
        changed = False
        units = final("orgunits.csv")
        facs = final("facilities.csv")
        people = final("persons.csv")

        def unit_level(code, units=units):
            r = units.get(code)
            return r.get("level") if r else None

        for r in rows["orgunits.csv"]:
            if r.error:
                continue
            allowed = parent_levels.get(r.get("level"))
            if allowed and unit_level(r.get("parent_code")) not in allowed:
                r.error = ("parent_code", "unknown_ref")
                changed = True
        for r in rows["facilities.csv"]:
            if r.error:
                continue
            if unit_level(r.get("orgunit_code")) is None:
                r.error = ("orgunit_code", "unknown_ref")
                changed = True
                continue
            served = [c.strip() for c in r.get("serves").split(";") if c.strip()]
            if any(unit_level(c) not in ("town", "zone", "village") for c in served):
                r.error = ("serves", "unknown_ref")
                changed = True
        for r in rows["persons.csv"]:
            if r.error:
                continue
            if unit_level(r.get("village_code")) != "village":
                r.error = ("village_code", "unknown_ref")
                changed = True
            elif r.get("mother_local_id") and r.get("mother_local_id") not in people:
                r.error = ("mother_local_id", "unknown_ref")
                changed = True
        for r in rows["events.csv"]:
            if r.error:
                continue
            person = people.get(r.get("person_local_id"))
            if person is None:
                r.error = ("person_local_id", "unknown_ref")
            elif r.get("partner_local_id") and r.get("partner_local_id") not in people:
                r.error = ("partner_local_id", "unknown_ref")
            elif r.get("facility_code") and r.get("facility_code") not in facs:
                r.error = ("facility_code", "unknown_ref")
            elif parse_date(r.get("date")) < parse_date(person.get("birth_date")):
                r.error = ("date", "before_birth")
            else:
                continue
            changed = True

    report = {"files": {}}
    for fname in FILES:
        rs = rows[fname]
        errors = []
        for r in rs:
            if r.error:
                zh, en = REASONS[r.error[1]]
                errors.append({"row": r.line, "column": r.error[0], "reason": r.error[1],
                               "reason_zh": zh, "reason_en": en})
        report["files"][fname] = {"read": len(rs), "loaded": len(rs) - len(errors),
                                  "rejected": len(errors), "errors": errors}

    orgunits = {k: dict(r.cells) for k, r in final("orgunits.csv").items()}
    facilities = {}
    for k, r in final("facilities.csv").items():
        d = dict(r.cells)
        d["serves_list"] = [c.strip() for c in r.get("serves").split(";") if c.strip()]
        facilities[k] = d
    persons = {}
    for k, r in final("persons.csv").items():
        d = dict(r.cells)
        d["birth"] = parse_date(d["birth_date"])
        d["death"] = parse_date(d.get("death_date", "")) if d.get("death_date") else None
        d["inflow"] = parse_date(d.get("inflow_date", "")) if d.get("inflow_date") else None
        idn = d.get("id_number", "")
        if len(idn) == 18 and idn[:17].isdigit() and idn[17] == "x":
            idn = idn[:17] + "X"
        d["id_number"] = idn
        persons[k] = d
    events = {}
    for k, r in final("events.csv").items():
        d = dict(r.cells)
        d["d"] = parse_date(d["date"])
        d["lmp_d"] = parse_date(d.get("lmp", "")) if d.get("lmp") else None
        d["discharge_d"] = (parse_date(d.get("discharge_date", ""))
                            if d.get("discharge_date") else None)
        d["dose_n"] = int(d["dose"]) if d.get("dose") else None
        events[k] = d
    return Bundle(orgunits, facilities, persons, events, report)


# --------------------------------------------------------------------------- due list
def add_months(d: dt.date, n: int) -> dt.date:
    return d + relativedelta(months=n)


def age_years(b: dt.date, on: dt.date) -> int:
    return relativedelta(on, b).years


def month_end(d: dt.date) -> dt.date:
    return d + relativedelta(day=31)


def ev_key(e: dict) -> tuple:
    return (e["d"], e["event_id"])


@dataclass
class Item:
    village: str
    person: str
    id_number: str
    service: str
    due_from: dt.date
    due_until: dt.date
    status: str
    responsible: str


@dataclass
class Ctx:
    bundle: Bundle
    D: dt.date
    E: dt.date
    events_of: dict[str, list[dict]] = field(default_factory=dict)
    marriages_of: dict[str, list[tuple[dict, str]]] = field(default_factory=dict)
    children_of: dict[str, list[dict]] = field(default_factory=dict)


def make_ctx(bundle: Bundle, D: dt.date) -> Ctx:
    ctx = Ctx(bundle=bundle, D=D, E=month_end(D))
    for e in bundle.events.values():
        if e["d"] > D:
            continue  # known on D
        ctx.events_of.setdefault(e["person_local_id"], []).append(e)
        if e["type"] == "marriage":
            partner = e.get("partner_local_id", "")
            ctx.marriages_of.setdefault(e["person_local_id"], []).append((e, partner))
            if partner:
                ctx.marriages_of.setdefault(partner, []).append((e, e["person_local_id"]))
    for evs in ctx.events_of.values():
        evs.sort(key=ev_key)
    for p in bundle.persons.values():
        mother = p.get("mother_local_id", "")
        if mother and p["birth"] <= D:
            ctx.children_of.setdefault(mother, []).append(p)
    return ctx


def in_scope(p: dict, D: dt.date) -> bool:
    if p["birth"] > D:
        return False
    if p["death"] is not None and p["death"] <= D:
        return False
    if p["residency"] == "registered_present":
        return True
    return p["residency"] == "inflow" and p["inflow"] is not None and p["inflow"] <= D


def evs(ctx: Ctx, pid: str, etype: str) -> list[dict]:
    return [e for e in ctx.events_of.get(pid, []) if e["type"] == etype]


def latest_marriage(ctx: Ctx, pid: str) -> tuple[dict, str] | None:
    ms = ctx.marriages_of.get(pid, [])
    if not ms:
        return None
    return max(ms, key=lambda pair: ev_key(pair[0]))


def married_on(ctx: Ctx, p: dict) -> bool:
    status = p.get("marital_status", "")
    if status in ("20", "21", "22", "23"):
        return True
    if status == "":
        return bool(ctx.marriages_of.get(p["local_id"]))
    return False


@dataclass
class Pregnancy:
    lmp: dt.date
    open: bool

    @property
    def edd(self) -> dt.date:
        return self.lmp + dt.timedelta(days=280)


def pregnancies(ctx: Ctx, pid: str) -> list[Pregnancy]:
    lmps = sorted({e["lmp_d"] for e in evs(ctx, pid, "pregnancy_registered")
                   if e["lmp_d"] <= ctx.D})
    ended = set()
    for o in evs(ctx, pid, "pregnancy_outcome"):
        before = [lmp for lmp in lmps if lmp < o["d"]]
        if before and (o["d"] - before[-1]).days <= 308:
            ended.add(before[-1])
    return [Pregnancy(lmp, lmp not in ended) for lmp in lmps]


def current_pregnancy(ctx: Ctx, pid: str) -> Pregnancy | None:
    cands = [p for p in pregnancies(ctx, pid)
             if p.open and ctx.D <= p.edd + dt.timedelta(days=30)]
    return cands[-1] if cands else None


def responsible_facility(b: Bundle, village: str) -> str:
    path = [village]
    parent = b.orgunits[village]["parent_code"]
    if b.orgunits[parent]["level"] == "zone":
        path.append(parent)
        parent = b.orgunits[parent]["parent_code"]
    path.append(parent)
    for unit in path:
        codes = [f["code"] for f in b.facilities.values()
                 if f["kind"] in ("health_center", "community_center") and unit in f["serves_list"]]
        if codes:
            return min(codes)
    return ""


def town_of(b: Bundle, village: str) -> str:
    parent = b.orgunits[village]["parent_code"]
    if b.orgunits[parent]["level"] == "zone":
        parent = b.orgunits[parent]["parent_code"]
    return parent


def protected(ctx: Ctx, pid: str, spouse: str | None) -> bool:
    D = ctx.D
    mine = evs(ctx, pid, "contraception")
    removals = [e["d"] for e in mine if e["method"] == "removed"]
    for e in mine:
        if e["method"] in ("iud", "implant", "sterilization"):
            if not any(r > e["d"] for r in removals):
                return True
        if e["method"] in ("injection", "pill", "condom") and e["d"] >= D - dt.timedelta(days=90):
            return True
    if spouse:
        his = evs(ctx, spouse, "contraception")
        his_removals = [e["d"] for e in his if e["method"] == "removed"]
        for e in his:
            if e["method"] == "sterilization" and not any(r > e["d"] for r in his_removals):
                return True
    return False


def _between(events: list[dict], lo: dt.date, hi: dt.date) -> bool:
    """an event dated in [lo, hi] (events are already known on D)."""
    return any(lo <= e["d"] <= hi for e in events)


def due_items(bundle: Bundle, D: dt.date) -> list[Item]:
    ctx = make_ctx(bundle, D)
    schedule = load_schedule()
    items: list[Item] = []

    for p in bundle.persons.values():
        if in_scope(p, D):
            items.extend(person_items(ctx, p, schedule))
    items.sort(key=lambda it: (it.village, it.service, it.person, iso(it.due_from)))
    return items


def person_items(ctx: Ctx, p: dict, schedule: list[dict]) -> list[Item]:
    """The due items of one person in scope on D."""
    bundle, D, E = ctx.bundle, ctx.D, ctx.E
    days = dt.timedelta
    items: list[Item] = []
    pid = p["local_id"]
    village = p["village_code"]
    resp = {"facility": responsible_facility(bundle, village), "village": village,
            "town": town_of(bundle, village)}

    def add(service, due_from, due_until, expires, who, status=None):
        """expires: first day it is no longer listed (None = never)."""
        if due_from > E:
            return
        if expires is not None and not D < expires:
            return
        if status is None:
            status = "overdue" if due_until < D else "due"
        items.append(Item(village, pid, p["id_number"], service, due_from, due_until,
                          status, resp[who]))

    b = p["birth"]
    age = age_years(b, D)
    woman_ra = p["sex"] == "2" and 15 <= age <= 49
    married = married_on(ctx, p)
    lm = latest_marriage(ctx, pid)
    m = lm[0]["d"] if lm else None
    spouse = (lm[1] or None) if lm else None
    recent_marriage = married and m is not None and D - days(365) < m <= D
    pregs = pregnancies(ctx, pid)
    cur = current_pregnancy(ctx, pid)

    # preconception_checkup
    if woman_ra and recent_marriage and not any(pr.lmp >= m for pr in pregs):
        done = any(e["d"] >= m for e in evs(ctx, pid, "preconception_checkup"))
        if spouse:
            done = done or any(e["d"] >= m for e in evs(ctx, spouse, "preconception_checkup"))
        if not done:
            add("preconception_checkup", m, m + days(180), m + days(365), "facility")

    # folic_acid
    if woman_ra and ((recent_marriage and cur is None)
                     or (cur is not None and (D - cur.lmp).days < 91)):
        if not any(e["d"] + days(89) >= E for e in evs(ctx, pid, "folic_acid")):
            add("folic_acid", D, E, None, "village")

    # pregnancy care
    if cur is not None:
        lmp = cur.lmp
        if not any(e["d"] >= lmp for e in evs(ctx, pid, "maternal_handbook")):
            add("early_pregnancy_registration", lmp, lmp + days(90), None, "facility")
        visits = evs(ctx, pid, "antenatal_visit")
        for service, lo, hi, exp in (("anc_2", 112, 146, 147), ("anc_3", 147, 174, 196),
                                     ("anc_4", 196, 258, 259), ("anc_5", 259, 286, None)):
            if not _between(visits, lmp + days(lo), lmp + days(hi)):
                add(service, lmp + days(lo), lmp + days(hi),
                    None if exp is None else lmp + days(exp), "facility")

    # postpartum
    deliveries = [e for e in evs(ctx, pid, "pregnancy_outcome")
                  if e["outcome"] in ("live_birth", "stillbirth")]
    if deliveries:
        o = max(deliveries, key=ev_key)
        x = o["discharge_d"] or (o["d"] + days(3))
        if not _between(evs(ctx, pid, "postpartum_visit"), x, x + days(28)):
            add("postpartum_visit", x, x + days(7), x + days(28), "facility")
        d = o["d"]
        if not _between(evs(ctx, pid, "postpartum_42d"), d + days(28), d + days(90)):
            add("postpartum_42d", d + days(42), d + days(56), d + days(90), "facility")

    # newborn_visit
    x = b + days(3)
    mother = p.get("mother_local_id", "")
    if mother:
        births = [e for e in evs(ctx, mother, "pregnancy_outcome")
                  if e["outcome"] == "live_birth" and e["d"] == b]
        if births:
            o = max(births, key=lambda e: e["event_id"])
            x = o["discharge_d"] or (o["d"] + days(3))
    if not _between(evs(ctx, pid, "newborn_visit"), b, b + days(28)):
        add("newborn_visit", x, x + days(7), b + days(28), "facility")

    # child checkups
    targets = [("1m", b + days(28), 14)]
    for label, months, span in (("3m", 3, 30), ("6m", 6, 30), ("8m", 8, 30),
                                ("12m", 12, 30), ("18m", 18, 60), ("24m", 24, 60),
                                ("30m", 30, 60), ("36m", 36, 60), ("4y", 48, 90),
                                ("5y", 60, 90), ("6y", 72, 90)):
        targets.append((label, add_months(b, months), span))
    checkups = evs(ctx, pid, "child_checkup")
    for i, (label, t, span) in enumerate(targets):
        if i + 1 < len(targets):
            nxt = targets[i + 1][1]
            lo, hi_excl, expires = t - days(15), nxt - days(15), nxt
        else:
            lo, hi_excl, expires = t - days(15), t + days(90), t + days(90)
        if not any(lo <= e["d"] < hi_excl for e in checkups):
            add("child_checkup_" + label, t, t + days(span), expires, "facility")

    # vaccinations
    if age < 7:
        version_from = max(s["effective_from"] for s in schedule if s["effective_from"] <= b)
        rows = [s for s in schedule if s["effective_from"] == version_from]
        vaccs = evs(ctx, pid, "vaccination")

        def first_dose(vaccine, dose, _v=vaccs):
            recs = [e for e in _v if e["vaccine"] == vaccine and e["dose_n"] == dose]
            return min(recs, key=ev_key)["d"] if recs else None

        for s in rows:
            k = s["dose"]
            if first_dose(s["vaccine"], k) is not None:
                continue
            e_date = add_months(b, s["age_months"])
            if k > 1:
                prev = first_dose(s["vaccine"], k - 1)
                if prev is None:
                    continue
                e_date = max(e_date, prev + days(s["min_interval_days"]))
            expires = min(add_months(b, s["max_age_months"]), add_months(b, 84))
            add(f"vaccine_{s['vaccine']}_{k}", e_date, e_date + days(30), expires,
                "facility")

    # lost pregnancies
    for pr in pregs:
        if pr.open and D > pr.edd + days(30):
            lead = pr.edd + days(31)
            add("pregnancy_followup_lost", lead, lead, pr.edd + days(396), "town",
                status="lead")

    # contraception_service
    if (woman_ra and married and ctx.children_of.get(pid) and cur is None
            and not any(D - days(42) < e["d"] <= D
                        for e in evs(ctx, pid, "pregnancy_outcome"))
            and not protected(ctx, pid, spouse)):
        add("contraception_service", D, E, None, "village")

    # elderly_checkup
    if age >= 65 and (p["residency"] != "inflow" or p["inflow"] <= D - relativedelta(months=6)):
        if not any(e["d"].year == D.year for e in evs(ctx, pid, "elderly_checkup")):
            add("elderly_checkup", dt.date(D.year, 1, 1), dt.date(D.year, 12, 31), None,
                "facility")

    # chronic follow-ups
    q_start = dt.date(D.year, 3 * ((D.month - 1) // 3) + 1, 1)
    q_end = month_end(add_months(q_start, 2))
    for condition in CONDITIONS:
        if any(e["condition"] == condition for e in evs(ctx, pid, "chronic_diagnosis")):
            fu = [e for e in evs(ctx, pid, "chronic_followup") if e["condition"] == condition]
            if not _between(fu, q_start, q_end):
                add("chronic_followup_" + condition, q_start, q_end, None, "facility")

    return items


COLUMNS = ["as_of", "village_code", "person_local_id", "id_number", "service", "due_from",
           "due_until", "status", "responsible"]


def write_due(items: list[Item], D: dt.date, path: str | os.PathLike) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for it in items:
            w.writerow([iso(D), it.village, it.person, it.id_number, it.service,
                        iso(it.due_from), iso(it.due_until), it.status, it.responsible])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("load", "due"))
    ap.add_argument("bundle")
    ap.add_argument("--report")
    ap.add_argument("--as-of", action="append", default=[])
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    bundle = load_bundle(a.bundle)
    if a.mode == "load":
        text = json.dumps(bundle.report, ensure_ascii=False, indent=1)
        if a.report:
            Path(a.report).write_text(text, encoding="utf-8")
        for fname, r in bundle.report["files"].items():
            print(f"{fname}: read {r['read']}, loaded {r['loaded']}, rejected {r['rejected']}")
        return 0
    for d in a.as_of:
        D = dt.date.fromisoformat(d)
        out = a.out if len(a.as_of) == 1 else a.out.replace("{D}", d)
        write_due(due_items(bundle, D), D, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
