"""Reference implementation of `weiji exchange` (service-catalogue.md, "Migrant information exchange").

    python -m acceptance.ref_exchange BUNDLE --month 2026-11 --out DIR
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from acceptance.ref_ind_load import Bundle, Person, load_bundle
from acceptance.ref_ind_terms import age_years, in_scope
from acceptance.ref_indicators import month_bounds

BASE = ["village_code", "person_local_id", "id_number", "name", "sex", "birth_date", "inflow_date"]
EVENT_TYPES = ("pregnancy_registered", "pregnancy_outcome")


def _base(p: Person) -> dict[str, str]:
    return {"village_code": p.village, "person_local_id": p.local_id, "id_number": p.id_number,
            "name": p.name, "sex": p.sex, "birth_date": p.birth.isoformat(),
            "inflow_date": p.inflow_date.isoformat() if p.inflow_date else ""}


def compute(b: Bundle, month: str) -> dict[str, list[dict[str, str]]]:
    p1, p2 = month_bounds(month, month)
    inflow = [p for p in b.persons.values() if p.residency == "inflow"]
    new = [_base(p) for p in inflow if in_scope(p, p2) and p1 <= p.inflow_date <= p2]
    events = []
    for p in inflow:
        if p.sex != "2":
            continue
        for e in b.by_person.get(p.local_id, []):
            if e.type in EVENT_TYPES and p1 <= e.date <= p2:
                events.append({**_base(p), "event": e.type, "event_date": e.date.isoformat()})
    kids = [_base(p) for p in inflow if in_scope(p, p2) and age_years(p.birth, p2) < 7]

    def key(r):
        return (r["village_code"], r["person_local_id"], r.get("event_date", ""), r.get("event", ""))
    return {"new_inflows.csv": sorted(new, key=key),
            "inflow_pregnancies_births.csv": sorted(events, key=key),
            "inflow_children.csv": sorted(kids, key=key)}


def write(files: dict[str, list[dict[str, str]]], out: str | Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        cols = BASE + (["event", "event_date"] if name == "inflow_pregnancies_births.csv" else [])
        with open(out / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="reference migrant information exchange")
    ap.add_argument("bundle")
    ap.add_argument("--month", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    write(compute(load_bundle(a.bundle), a.month), a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
