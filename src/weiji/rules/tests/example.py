"""The public example bundle read straight into rule facts (no database), for tests.

Rows that the example's expected load report lists as rejected are skipped, so the facts
are what a correct loader stores; everything else follows bundle-format.md (trimmed
cells, BOM, a repeated key updates the earlier row).
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

from weiji.rules.facts import District, Event, Facility, Person, Unit

EXAMPLE = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[5] / "shared")) / "spec" / "examples" / "small"


def example_available() -> bool:
    return (EXAMPLE / "bundle" / "persons.csv").exists()


def _rows(name: str, rejected: set[int]):
    with open(EXAMPLE / "bundle" / name, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells) or start in rejected:
                continue
            cells = [c.strip() for c in cells] + [""] * len(header)
            yield dict(zip(header, cells, strict=False))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def example_district() -> District:
    report = json.loads((EXAMPLE / "expected" / "expected-load.json").read_text("utf-8"))
    rejected = {f: {e["row"] for e in v["errors"]} for f, v in report["files"].items()}
    units = {
        r["code"]: Unit(r["code"], r["name"], r["level"], r["parent_code"] or None, r.get("urban_rural", ""))
        for r in _rows("orgunits.csv", rejected["orgunits.csv"])
    }
    facilities = {
        r["code"]: Facility(
            r["code"], r["name"], r["kind"], r["orgunit_code"],
            tuple(c.strip() for c in r.get("serves", "").split(";") if c.strip()),
        )
        for r in _rows("facilities.csv", rejected["facilities.csv"])
    }
    persons = {}
    for r in _rows("persons.csv", rejected["persons.csv"]):
        persons[r["local_id"]] = Person(
            local_id=r["local_id"], id_number=r["id_number"].upper(), name=r["name"], sex=r["sex"],
            birth_date=_date(r["birth_date"]), village_code=r["village_code"],
            residency=r["residency"], inflow_date=_date(r["inflow_date"]),
            marital_status=r["marital_status"], mother=r["mother_local_id"] or None,
            death_date=_date(r["death_date"]),
        )
    events = {}
    for r in _rows("events.csv", rejected["events.csv"]):
        events[r["event_id"]] = Event(
            event_id=r["event_id"], person=r["person_local_id"], type=r["type"],
            date=_date(r["date"]), lmp=_date(r["lmp"]), outcome=r["outcome"],
            discharge_date=_date(r["discharge_date"]), vaccine=r["vaccine"],
            dose=int(r["dose"]) if r["dose"] else None, method=r["method"],
            condition=r["condition"], partner=r["partner_local_id"] or None,
            facility_code=r["facility_code"] or None,
        )
    return District.build(
        units=units.values(), facilities=facilities.values(), persons=persons.values(),
        events=events.values(),
    )


def expected_rows(as_of: str) -> list[dict[str, str]]:
    with open(EXAMPLE / "expected" / f"due-{as_of}.csv", encoding="utf-8-sig", newline="") as fh:
        return [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(fh)]
