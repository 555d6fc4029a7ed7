"""Immunization schedule versions (国家免疫规划疫苗儿童免疫程序) as data."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from weiji.rules.facts import ScheduleDose


@dataclass(frozen=True)
class Schedule:
    """All versions; a child follows the version with the latest effective_from ≤ birth."""

    doses: tuple[ScheduleDose, ...]

    @property
    def versions(self) -> list[tuple[date, str]]:
        return sorted({(d.effective_from, d.schedule) for d in self.doses})

    def version_for(self, birth_date: date) -> str | None:
        chosen = None
        for effective_from, name in self.versions:
            if effective_from <= birth_date:
                chosen = name
        return chosen

    def doses_for(self, birth_date: date) -> list[ScheduleDose]:
        version = self.version_for(birth_date)
        return [d for d in self.doses if d.schedule == version]

    def vaccines(self) -> frozenset[str]:
        return frozenset(d.vaccine for d in self.doses)

    def dose_codes(self) -> list[str]:
        """Every `<vaccine>_<dose>` in any version, sorted."""
        return sorted({f"{d.vaccine}_{d.dose}" for d in self.doses})


def parse_schedule(rows: Iterable[dict[str, str]]) -> Schedule:
    doses = []
    for row in rows:
        doses.append(
            ScheduleDose(
                schedule=row["schedule"].strip(),
                effective_from=date.fromisoformat(row["effective_from"].strip()),
                vaccine=row["vaccine"].strip(),
                name_zh=row["name_zh"].strip(),
                dose=int(row["dose"]),
                age_months=int(row["age_months"]),
                min_interval_days=int(row["min_interval_days"]),
                max_age_months=int(row["max_age_months"]),
            )
        )
    return Schedule(tuple(doses))


@cache
def default_schedule() -> Schedule:
    """The schedule shipped with the product (rules/data/immunization-schedule.csv)."""
    text = resources.files("weiji.rules").joinpath("data/immunization-schedule.csv").read_text(
        encoding="utf-8-sig"
    )
    return parse_schedule(csv.DictReader(text.splitlines()))
