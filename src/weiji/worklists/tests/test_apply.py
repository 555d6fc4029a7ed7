"""servicelist_apply: idempotent, diffed upsert of the live list with an append-only history."""

from __future__ import annotations

from datetime import date

import pytest

from weiji.worklists.models import (
    ItemState,
    ServiceItem,
    ServiceItemEvent,
    Snapshot,
    SnapshotItem,
    Task,
    TaskStatus,
)
from weiji.worklists.services import servicelist_apply, servicelist_snapshot
from weiji.worklists.tests.builders import (
    FAC,
    V1,
    V2,
    due,
    make_event,
    make_person,
    make_units,
)

pytestmark = pytest.mark.django_db
D1 = date(2025, 3, 1)


@pytest.fixture
def setup():
    make_units()
    mother = make_person("P1")
    child = make_person("P2", sex="1", birth=date(2025, 2, 20), mother=mother, name="王小宝",
                        id_number="")
    return mother, child


def _items(mother, child, as_of=D1):
    return [
        due(mother, "postpartum_visit", date(2025, 2, 23), date(2025, 3, 2), as_of=as_of,
            basis=("E1",)),
        due(child, "newborn_visit", date(2025, 2, 23), date(2025, 3, 2), as_of=as_of),
        due(mother, "folic_acid", as_of, date(2025, 3, 31), as_of=as_of, responsible=V1),
    ]


def test_first_generation_adds_items_tasks_and_history(setup):
    mother, child = setup
    result = servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    assert (result.added, result.changed, result.closed, result.dropped) == (3, 0, 0, 0)
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    assert item.state == ItemState.OPEN and item.basis == "E1" and item.last_as_of == D1
    assert item.task.status == TaskStatus.PENDING
    assert (item.task.unit_kind, item.task.unit_code) == ("facility", FAC)
    folic = ServiceItem.objects.get(service="folic_acid")
    assert (folic.task.unit_kind, folic.task.unit_code) == ("village", V1)
    assert list(item.history.values_list("change", "reason")) == [("added", "rule")]


def test_regeneration_is_idempotent(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    before = list(ServiceItem.objects.order_by("id").values())
    result = servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    assert (result.added, result.changed, result.unchanged) == (0, 0, 3)
    assert list(ServiceItem.objects.order_by("id").values()) == before
    assert ServiceItemEvent.objects.count() == 3
    assert Task.objects.count() == 3


def test_status_change_is_recorded(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    later = date(2025, 3, 5)
    items = [due(mother, "postpartum_visit", date(2025, 2, 23), date(2025, 3, 2), as_of=later,
                 status="overdue")]
    result = servicelist_apply(items=items, as_of=later, catalogue_version=1,
                               persons=[mother.pk])
    assert result.changed == 1
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    assert item.status == "overdue"
    change = item.history.last()
    assert (change.change, change.detail["status"]) == ("changed", ["due", "overdue"])
    # Scoped to the mother: the child's item is untouched.
    assert ServiceItem.objects.get(person=child).state == ItemState.OPEN
    # The mother's folic acid item was not listed again: dropped, not done (no record).
    folic = ServiceItem.objects.get(service="folic_acid")
    assert (folic.state, folic.close_reason) == (ItemState.DROPPED, "rule")


def test_done_item_closes_with_the_record_and_task_follows(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    visit = make_event(mother, "postpartum_visit", date(2025, 3, 3), "EV-PP")
    later = date(2025, 3, 3)
    items = [i for i in _items(mother, child, later) if i.service != "postpartum_visit"]
    result = servicelist_apply(items=items, as_of=later, catalogue_version=1, reason="event",
                               event_id=visit.pk)
    assert (result.closed, result.dropped) == (1, 0)
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    assert (item.state, item.closed_by_event_id, item.closed_on) == (ItemState.DONE, visit.pk, later)
    assert item.history.last().event_id == visit.pk
    assert item.task.status == TaskStatus.DONE
    assert item.task.actions.last().event_id == visit.pk


def test_record_after_the_window_closes_the_overdue_item(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    make_event(child, "newborn_visit", date(2025, 3, 15), "EV-NB")
    result = servicelist_apply(items=[], as_of=date(2025, 3, 15), catalogue_version=1,
                               persons=[child.pk])
    assert result.closed == 1
    assert ServiceItem.objects.get(person=child).state == ItemState.DONE


def test_death_and_move_are_drop_reasons(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    child.death_date = date(2025, 3, 2)
    child.save()
    mother.village_id = V2
    mother.save()
    later = date(2025, 3, 4)
    servicelist_apply(items=[], as_of=later, catalogue_version=1)
    reasons = dict(ServiceItem.objects.values_list("service", "close_reason"))
    assert reasons == {"newborn_visit": "death", "postpartum_visit": "move", "folic_acid": "move"}
    task = Task.objects.get(item__service="postpartum_visit")
    assert task.status == TaskStatus.MOVED_OUT


def test_moved_person_listed_in_new_village_keeps_the_item(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    mother.village_id = V2
    mother.save()
    items = [due(mother, "postpartum_visit", date(2025, 2, 23), date(2025, 3, 2), as_of=D1)]
    result = servicelist_apply(items=items, as_of=D1, catalogue_version=1, persons=[mother.pk])
    assert result.changed == 1
    item = ServiceItem.objects.get(person=mother, service="postpartum_visit")
    assert item.village_id == V2 and item.history.last().reason == "move"


def test_relisted_item_is_reopened_with_its_history(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    servicelist_apply(items=[], as_of=D1, catalogue_version=1, persons=[child.pk])
    result = servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=2)
    assert result.reopened == 1
    item = ServiceItem.objects.get(person=child)
    assert item.state == ItemState.OPEN and item.catalogue_version == 2
    assert list(item.history.values_list("change", flat=True)) == ["added", "dropped", "reopened"]
    assert item.task.status == TaskStatus.PENDING


def test_unknown_person_is_a_clear_error(setup):
    mother, child = setup
    ghost = due(mother, "folic_acid", D1, date(2025, 3, 31), as_of=D1)
    ghost = type(ghost)(**{**{f: getattr(ghost, f) for f in ghost.__dataclass_fields__},
                           "person_local_id": "NOPE"})
    with pytest.raises(ValueError, match="NOPE"):
        servicelist_apply(items=[ghost], as_of=D1, catalogue_version=1)


def test_snapshot_is_frozen(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    snap = servicelist_snapshot(as_of=D1)
    assert snap.item_count == 3 and snap.month == D1
    row = SnapshotItem.objects.get(snapshot=snap, service="postpartum_visit")
    assert (row.person_local_id, row.village_code, row.id_number) == (
        "P1", V1, "37030319950301002X")
    # Later changes do not touch the snapshot, and taking it again returns the same one.
    servicelist_apply(items=[], as_of=date(2025, 3, 20), catalogue_version=1)
    again = servicelist_snapshot(as_of=date(2025, 3, 20))
    assert again.pk == snap.pk
    assert SnapshotItem.objects.filter(snapshot=snap).count() == 3
    assert Snapshot.objects.count() == 1


def test_history_rows_are_append_only(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    entry = ServiceItemEvent.objects.first()
    entry.detail = {"x": 1}
    with pytest.raises(PermissionError):
        entry.save()


def test_rolling_window_stays_one_item(setup):
    mother, child = setup
    servicelist_apply(items=_items(mother, child), as_of=D1, catalogue_version=1)
    later = date(2025, 3, 9)
    result = servicelist_apply(items=_items(mother, child, later), as_of=later,
                               catalogue_version=1)
    assert (result.added, result.dropped, result.closed) == (0, 0, 0)
    folic = ServiceItem.objects.get(service="folic_acid")
    assert (folic.due_from, folic.last_as_of, folic.state) == (later, later, ItemState.OPEN)
    assert folic.history.count() == 1
