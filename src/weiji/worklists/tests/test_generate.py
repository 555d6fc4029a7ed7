"""servicelist_generate with the real rule engine, per person and for the district."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from weiji.rules.evaluate import evaluate_person
from weiji.worklists.facts import district_from_db
from weiji.worklists.models import (
    CatalogueVersion,
    ItemState,
    ServiceItem,
    Snapshot,
    TaskStatus,
)
from weiji.worklists.services import servicelist_generate, servicelist_refresh_person
from weiji.worklists.tests.builders import V2, make_delivery, make_event, make_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    make_units()
    return make_delivery(as_of=date(2025, 3, 1))


def test_district_run_lists_what_the_evaluator_lists(district):
    mother, child = district
    d = date(2025, 3, 1)
    result = servicelist_generate(as_of=d)
    assert result.added == result.listed > 0
    stored = set(ServiceItem.objects.filter(state=ItemState.OPEN).values_list(
        "person__local_id", "service", "due_from", "due_until", "status"))
    facts = district_from_db(on=d)
    expected = {(i.person_local_id, i.service, i.due_from, i.due_until, i.status)
                for lid in ("M1", "M1-C") for i in evaluate_person(facts, lid, d)}
    assert stored == expected
    assert ("M1", "postpartum_visit") in {(s[0], s[1]) for s in stored}
    assert CatalogueVersion.objects.get().version == 1
    assert set(ServiceItem.objects.values_list("catalogue_version", flat=True)) == {1}


def test_recorded_visit_closes_the_item_with_the_record(district):
    mother, child = district
    d = date(2025, 3, 1)
    servicelist_generate(as_of=d)
    visit = make_event(mother, "postpartum_visit", date(2025, 3, 2), "PV-1")
    result = servicelist_generate(as_of=date(2025, 3, 2), persons=[mother.pk],
                                  reason="event", event_id=visit.pk)
    assert result.closed == 1
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    assert (item.state, item.closed_by_event_id) == (ItemState.DONE, visit.pk)
    assert item.task.status == TaskStatus.DONE
    # The child's items were outside this run's scope and are untouched.
    assert ServiceItem.objects.get(person=child, service="newborn_visit").state == ItemState.OPEN


def test_refresh_person_covers_mother_and_child(district):
    mother, child = district
    today = timezone.localdate()
    # Shift the delivery to today so the items are current for today's refresh.
    mother.events.filter(type="pregnancy_outcome").update(
        date=today - timedelta(days=2), discharge_date=today - timedelta(days=1))
    mother.events.filter(type="pregnancy_registered").update(
        date=today - timedelta(days=200), lmp=today - timedelta(days=272))
    child.birth_date = today - timedelta(days=2)
    child.save()
    servicelist_refresh_person(person_id=child.pk)
    services = set(ServiceItem.objects.values_list("person__local_id", "service"))
    assert ("M1", "postpartum_visit") in services and ("M1-C", "newborn_visit") in services


def test_generate_lists_command_with_snapshot(district, capsys):
    call_command("generate-lists", "--as-of", "2025-03-01", "--snapshot")
    out = capsys.readouterr().out
    assert "as_of=2025-03-01" in out and "snapshot=yes" in out
    snap = Snapshot.objects.get()
    assert snap.item_count == ServiceItem.objects.filter(state=ItemState.OPEN).count() > 0
    # A second run is idempotent and leaves the frozen snapshot alone.
    call_command("generate-lists", "--as-of", "2025-03-01", "--snapshot")
    assert "added=0" in capsys.readouterr().out
    assert Snapshot.objects.count() == 1


def test_generate_lists_command_errors(district):
    with pytest.raises(CommandError, match="1日"):
        call_command("generate-lists", "--as-of", "2025-03-05", "--snapshot")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("generate-lists", "--as-of", "March")
    with pytest.raises(CommandError, match="unknown village"):
        call_command("generate-lists", "--as-of", "2025-03-05", "--village", "999")


def test_village_run_touches_only_that_village(district):
    servicelist_generate(as_of=date(2025, 3, 1), villages=[V2])
    assert ServiceItem.objects.count() == 0


def test_periodic_job_runs_once_a_day_and_snapshots_on_the_first(district, monkeypatch):
    from weiji.config.schedule import PERIODIC_JOBS
    from weiji.worklists import tasks
    from weiji.worklists.models import GenerationRun

    assert PERIODIC_JOBS["worklists.generate"]["func"] == "weiji.worklists.tasks.job_generate"
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2025, 3, 1))
    tasks.job_generate()
    tasks.job_generate()
    run = GenerationRun.objects.get()
    assert run.as_of == date(2025, 3, 1) and run.snapshot and run.result["added"] > 0
    assert Snapshot.objects.get().month == date(2025, 3, 1)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2025, 3, 2))
    tasks.job_generate()
    assert GenerationRun.objects.count() == 2 and Snapshot.objects.count() == 1


def test_first_run_after_a_catalogue_change_gives_the_catalogue_as_reason(district):
    from weiji.worklists.catalogue import catalogue_current, catalogue_version_create
    from weiji.worklists.tasks import servicelist_run

    servicelist_run(as_of=date(2025, 3, 1), snapshot=False)
    data = catalogue_current().data
    services = {**data["services"],
                "newborn_visit": {**data["services"]["newborn_visit"], "enabled": False}}
    catalogue_version_create(data={**data, "services": services}, user=None, note="off")
    servicelist_run(as_of=date(2025, 3, 2), snapshot=False)
    item = ServiceItem.objects.get(service="newborn_visit")
    assert (item.state, item.close_reason) == (ItemState.DROPPED, "catalogue")


def test_household_refresh_covers_its_members(district):
    from weiji.registry.models import Household
    from weiji.worklists.services import servicelist_refresh_household

    mother, child = district
    home = Household.objects.create(code="H1", village_id=mother.village_id)
    Person = type(mother)
    Person.objects.filter(pk__in=[mother.pk, child.pk]).update(household=home)
    result = servicelist_refresh_household(household_id=home.pk, as_of=date(2025, 3, 1))
    assert result.added > 0
    assert set(ServiceItem.objects.values_list("person_id", flat=True)) == {mother.pk, child.pk}
