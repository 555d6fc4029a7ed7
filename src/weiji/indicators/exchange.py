"""Migrant information exchange (流动人口月信息通报), service-catalogue.md (pure + CSV).

For month P = [P1, P2]:

* ``new_inflows.csv``: ``inflow`` persons in scope on P2 with ``inflow_date`` in P;
* ``inflow_pregnancies_births.csv``: ``inflow`` women (no other condition) with a
  ``pregnancy_registered`` or ``pregnancy_outcome`` event dated in P, one row per event;
* ``inflow_children.csv``: ``inflow`` persons in scope on P2 and younger than 7 on P2.

Rows are sorted by village_code, person_local_id (then event_date, event).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from weiji.rules.dates import age_years, month_end
from weiji.rules.facts import District, Person
from weiji.rules.terms import in_scope

BASE_COLUMNS = ["village_code", "person_local_id", "id_number", "name", "sex", "birth_date",
                "inflow_date"]
EVENT_COLUMNS = BASE_COLUMNS + ["event", "event_date"]
FILES = {
    "new_inflows.csv": BASE_COLUMNS,
    "inflow_pregnancies_births.csv": EVENT_COLUMNS,
    "inflow_children.csv": BASE_COLUMNS,
}
FILE_TITLES = {
    "new_inflows.csv": "本月新流入人口",
    "inflow_pregnancies_births.csv": "流入妇女孕情与生育",
    "inflow_children.csv": "流入0–6岁儿童",
}
PREGNANCY_EVENTS = ("pregnancy_registered", "pregnancy_outcome")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthError(ValueError):
    pass


def parse_month(text: str) -> tuple[date, date]:
    """``'2026-11'`` → (2026-11-01, 2026-11-30); bilingual error otherwise."""
    m = _MONTH.match((text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise MonthError(f"月份应为 YYYY-MM，现为 {text!r} / month must be YYYY-MM, got {text!r}")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    return first, month_end(first)


@dataclass(frozen=True, slots=True)
class ExchangeLists:
    month_start: date
    month_end: date
    new_inflows: list[dict[str, str]]
    pregnancies_births: list[dict[str, str]]
    children: list[dict[str, str]]

    def files(self) -> dict[str, list[dict[str, str]]]:
        return {
            "new_inflows.csv": self.new_inflows,
            "inflow_pregnancies_births.csv": self.pregnancies_births,
            "inflow_children.csv": self.children,
        }


def _base_row(person: Person) -> dict[str, str]:
    return {
        "village_code": person.village_code,
        "person_local_id": person.local_id,
        "id_number": person.id_number,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "inflow_date": person.inflow_date.isoformat() if person.inflow_date else "",
    }


def _is_inflow(person: Person) -> bool:
    """An ``inflow`` person: inflow on the date of the facts, or recorded as an inflow who
    arrives later (not yet managed on that date: no residency). The second list takes
    inflow women with no other condition, so such a woman's events in P count there."""
    return person.residency == "inflow" or (not person.residency and person.inflow_date is not None)


def _sort_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["village_code"], row["person_local_id"], row.get("event_date", ""),
            row.get("event", ""))


def exchange_lists(
    district: District, *, month_start: date, month_end: date, villages: set[str] | None = None
) -> ExchangeLists:
    """The three lists for the month (optionally only persons of some villages)."""
    new_inflows, events, kids = [], [], []
    for person in district.persons.values():
        if not _is_inflow(person):
            continue
        if villages is not None and person.village_code not in villages:
            continue
        scoped = person.residency == "inflow" and in_scope(person, month_end)
        if scoped and person.inflow_date and month_start <= person.inflow_date <= month_end:
            new_inflows.append(_base_row(person))
        if scoped and age_years(person.birth_date, month_end) < 7:
            kids.append(_base_row(person))
        if person.sex == "2":
            for ev in district.events.get(person.local_id, ()):
                if ev.type in PREGNANCY_EVENTS and month_start <= ev.date <= month_end:
                    row = _base_row(person)
                    row["event"] = ev.type
                    row["event_date"] = ev.date.isoformat()
                    events.append(row)
    return ExchangeLists(
        month_start, month_end,
        sorted(new_inflows, key=_sort_key), sorted(events, key=_sort_key),
        sorted(kids, key=_sort_key),
    )


def csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    """RFC 4180 CSV with minimal quoting and a header row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def exchange_write(lists: ExchangeLists, out_dir: str | Path) -> list[Path]:
    """Write the three files into ``out_dir`` (created when needed); return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in lists.files().items():
        path = out / name
        path.write_text(csv_text(rows, FILES[name]), encoding="utf-8")
        written.append(path)
    return written
