"""The public example bundle: exact load report, idempotent reload, the same as .xlsx."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from weiji.core.models import AuditEntry
from weiji.orgunits.models import Catchment, Facility, OrgUnit
from weiji.records.bundle.loader import load_bundle
from weiji.records.models import Event
from weiji.records.services import bundle_load, report_errors_xlsx
from weiji.records.tests.bundles import EXAMPLE, csv_bundle_to_xlsx
from weiji.registry.models import Household, Person, ResidencyPeriod

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not EXAMPLE.is_dir(), reason=f"the shared example is not at {EXAMPLE}"),
]
DATE_COLUMNS = {"birth_date", "inflow_date", "death_date", "date", "lmp", "discharge_date"}


@pytest.fixture
def expected():
    return json.loads((EXAMPLE / "expected" / "expected-load.json").read_text(encoding="utf-8"))


def snapshot() -> dict:
    """Every loaded row with its id and timestamps, to compare two loads."""
    return {
        "units": list(OrgUnit.objects.order_by("code").values()),
        "facilities": list(Facility.objects.order_by("code").values()),
        "catchments": list(Catchment.objects.order_by("id").values()),
        "households": list(Household.objects.order_by("id").values()),
        "persons": list(Person.objects.order_by("id").values()),
        "periods": list(ResidencyPeriod.objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values()),
    }


def test_report_matches_the_expected_load(expected, tmp_path):
    out = tmp_path / "report.json"
    call_command("load", str(EXAMPLE / "bundle"), report=str(out))
    got = json.loads(out.read_text(encoding="utf-8"))
    for name, want in expected["files"].items():
        have = got["files"][name]
        assert (have["read"], have["loaded"], have["rejected"]) == (
            want["read"], want["loaded"], want["rejected"]), name
        assert [(e["row"], e["column"], e["reason"], e["reason_zh"], e["reason_en"])
                for e in have["errors"]] == [
            (e["row"], e["column"], e["reason"], e["reason_zh"], e["reason_en"])
            for e in want["errors"]], name
    assert got["invalid_id_numbers"] == expected["invalid_id_numbers"]
    assert Person.objects.count() == expected["files"]["persons.csv"]["loaded"]
    assert Event.objects.count() == expected["files"]["events.csv"]["loaded"]


def test_loaded_state(expected):
    load_bundle(EXAMPLE / "bundle")
    # Every person has exactly one period; inflow persons from their inflow date.
    assert ResidencyPeriod.objects.count() == Person.objects.count()
    for person in Person.objects.filter(residency="inflow")[:20]:
        period = person.residency_periods.get()
        assert period.valid_from == person.inflow_date
        assert (period.village_id, period.residency, period.change) == (
            person.village_id, "inflow", "loaded")
    registered = Person.objects.exclude(residency="inflow").first()
    assert registered.residency_periods.get().valid_from is None
    # Paths, catchments, mothers, households, id flags and search keys.
    assert OrgUnit.objects.get(code="320981100202").path == "/320981/320981100/320981100Z01/320981100202/"
    assert OrgUnit.objects.get(code="320981").path == "/320981/"
    assert set(Catchment.objects.filter(facility_id="320981CC04").values_list("orgunit_id", flat=True)) == {
        "320981100001", "320981100202"}
    child = Person.objects.get(local_id="P0000183")
    assert child.mother.local_id == "P0000182"
    assert child.household.code == "H1002020110000"
    assert child.name_pinyin == "zhangyiyue" and child.name_initials == "zyy"
    flagged = set(Person.objects.filter(id_status="invalid").values_list("local_id", flat=True))
    assert flagged == set(expected["invalid_id_numbers"])
    assert Person.objects.get(local_id="P0000019").id_number == "32098120000227686X"
    assert Person.objects.get(local_id="P0000125").id_issue
    padded = Event.objects.get(event_id="E00000005")
    assert (padded.person.local_id, padded.type, padded.date) == (
        "P0000064", "child_checkup", date(2027, 2, 26))


def test_reloading_changes_nothing():
    load_bundle(EXAMPLE / "bundle")
    before = snapshot()
    report = load_bundle(EXAMPLE / "bundle")
    assert report.files["events.csv"].loaded == 5255
    assert snapshot() == before


def test_an_xlsx_workbook_gives_the_same_counts(expected, tmp_path):
    workbook = csv_bundle_to_xlsx(EXAMPLE / "bundle", tmp_path / "bundle.xlsx", DATE_COLUMNS)
    report = load_bundle(workbook)
    for name, want in expected["files"].items():
        have = report.files[name]
        assert (have.read, have.loaded, have.rejected) == (
            want["read"], want["loaded"], want["rejected"]), name
        assert Counter((e.column, e.reason) for e in have.errors) == Counter(
            (e["column"], e["reason"]) for e in want["errors"]), name
    assert report.invalid_id_numbers == expected["invalid_id_numbers"]
    # Real date cells were read as dates.
    assert Person.objects.get(local_id="P0000183").birth_date == date(2018, 9, 14)


def test_service_audits_and_errors_export(tmp_path, django_user_model):
    user = django_user_model.objects.create_user(username="importer", password="x" * 12)
    report = bundle_load(source=EXAMPLE / "bundle", user=user)
    entry = AuditEntry.objects.get(action="import")
    assert entry.user == user
    assert entry.detail["files"]["persons.csv"]["rejected"] == 14
    assert Event.objects.filter(recorded_by=user).count() == 5255
    path = report_errors_xlsx(report, tmp_path / "errors.xlsx")
    rows = list(load_workbook(path, read_only=True)["errors"].iter_rows(values_only=True))
    assert len(rows) == 1 + report.rejected
    assert rows[1][:3] == ("orgunits.csv", 5, "parent_code")
