"""`weiji exchange` through the database: residency as of the month's last day."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.management import call_command

from weiji.core import testing as f

pytestmark = pytest.mark.django_db


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["person_local_id"], r.get("event", "")) for r in csv.DictReader(fh)]


def test_exchange_command_reads_the_register(tmp_path):
    tree = f.make_tree()
    arrived = f.make_person(village=tree.v1, residency="inflow", inflow_date=date(2026, 11, 30),
                            birth_date=date(2021, 1, 1), local_id="A1")
    late = f.make_person(village=tree.v2, residency="inflow", inflow_date=date(2026, 12, 3),
                         birth_date=date(1995, 1, 1), local_id="L1")
    f.make_person(village=tree.v1, residency="registered_present", birth_date=date(2022, 1, 1),
                  local_id="R1")
    f.make_event(person=late, type="pregnancy_registered", date=date(2026, 11, 2),
                 lmp=date(2026, 9, 20))
    f.make_event(person=arrived, type="pregnancy_registered", date=date(2026, 12, 1),
                 lmp=date(2026, 9, 20))
    call_command("exchange", month="2026-11", out=str(tmp_path))
    assert _rows(tmp_path / "new_inflows.csv") == [("A1", "")]
    assert _rows(tmp_path / "inflow_children.csv") == [("A1", "")]
    # An inflow woman with no other condition: arriving in December does not matter.
    assert _rows(tmp_path / "inflow_pregnancies_births.csv") == [("L1", "pregnancy_registered")]
