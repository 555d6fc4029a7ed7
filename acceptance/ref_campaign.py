"""Reference implementation of `weiji campaign-report` (service-catalogue.md, "Campaigns").

    python -m acceptance.ref_campaign BUNDLE CAMPAIGN.yaml --out FILE.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from fractions import Fraction
from pathlib import Path

import yaml

from acceptance.ref_ind_load import Bundle, Person, load_bundle
from acceptance.ref_ind_terms import (
    age_years,
    children,
    events_of,
    in_scope,
    marriage_date,
    married,
)
from acceptance.ref_indicators import four_decimals

COLUMNS = ["village_code", "urban_rural", "targets", "attended", "visited",
           "attendance_rate", "visit_rate", "pass", "rank"]
CHECKUP_KINDS = {"health_center", "community_center"}


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def is_target(b: Bundle, p: Person, s: dt.date, born_on_or_after: dt.date) -> bool:
    if p.sex != "2" or not in_scope(p, s) or p.birth < born_on_or_after or not married(b, p, s):
        return False
    m = marriage_date(b, p, s)
    if m is not None and s - dt.timedelta(days=365) < m <= s:
        return True
    if len(children(b, p, s)) == 1:
        return True
    if events_of(b, p, s, "birth_registration"):
        return True
    return p.residency == "inflow" and 15 <= age_years(p.birth, s) <= 49


def compute(b: Bundle, campaign: dict) -> list[dict[str, str]]:
    start, end = _date(campaign["start"]), _date(campaign["end"])
    target = campaign["target"]
    if target["rule"] != "spring_women_checkup":
        raise ValueError(f"unknown target rule {target['rule']}")
    born_after = _date(target["born_on_or_after"])
    thresholds = campaign["thresholds"]
    stats: dict[str, list[int]] = {c: [0, 0, 0] for c, u in b.orgunits.items() if u.level == "village"}
    for p in b.persons.values():
        if not is_target(b, p, start, born_after):
            continue
        evs = [e for e in b.by_person.get(p.local_id, []) if start <= e.date <= end]
        attended = any(e.type == "health_checkup" and e.facility
                       and b.facilities[e.facility].kind in CHECKUP_KINDS for e in evs)
        visited = attended or any(e.type == "home_visit" for e in evs)
        s = stats[p.village]
        s[0] += 1
        s[1] += attended
        s[2] += visited
    rows = []
    for code in sorted(stats):
        targets, attended, visited = stats[code]
        cls = "urban" if b.orgunits[code].urban_rural.startswith("1") else "rural"
        row = {"village_code": code, "urban_rural": cls, "targets": str(targets), "attended": str(attended),
               "visited": str(visited), "attendance_rate": "", "visit_rate": "", "pass": "", "rank": ""}
        if targets:
            ar, vr = Fraction(attended, targets), Fraction(visited, targets)
            th = thresholds[cls]
            ok = ar >= Fraction(str(th["attendance"])) and vr >= Fraction(str(th["visit"]))
            row.update(attendance_rate=four_decimals(ar), visit_rate=four_decimals(vr))
            row["pass"] = "true" if ok else "false"
            row["_key"] = (-vr, -ar, code)
        rows.append(row)
    ranked = sorted((r for r in rows if "_key" in r), key=lambda r: r["_key"])
    for i, r in enumerate(ranked, 1):
        r["rank"] = str(i)
        del r["_key"]
    return rows


def write_rows(rows: list[dict[str, str]], out: str | Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="reference campaign report")
    ap.add_argument("bundle")
    ap.add_argument("campaign")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    campaign = yaml.safe_load(Path(a.campaign).read_text(encoding="utf-8"))
    write_rows(compute(load_bundle(a.bundle), campaign), a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
