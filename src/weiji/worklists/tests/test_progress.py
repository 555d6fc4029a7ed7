"""Progress per village and per worker, with the frozen snapshot as fixed denominator."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from weiji.worklists.selectors import (
    progress_by_village,
    progress_by_worker,
    worklist_groups,
    worklist_items,
)
from weiji.worklists.services import servicelist_apply, servicelist_snapshot
from weiji.worklists.taskflow import task_mark
from weiji.worklists.tests.builders import (
    TOWN,
    V1,
    V2,
    due,
    make_event,
    make_person,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db
D1 = date(2025, 3, 1)


def test_rates_overdue_and_snapshot_counts():
    make_units()
    a, b, c = (make_person(f"P{i}", village=V1) for i in range(3))
    items = [due(a, "postpartum_visit", date(2025, 2, 20), date(2025, 2, 27), as_of=D1,
                 status="overdue"),
             due(b, "postpartum_visit", date(2025, 3, 1), date(2025, 3, 8), as_of=D1),
             due(c, "elderly_checkup", date(2025, 1, 1), date(2025, 12, 31), as_of=D1)]
    servicelist_apply(items=items, as_of=D1, catalogue_version=1)
    servicelist_snapshot(as_of=D1)
    make_event(b, "postpartum_visit", date(2025, 3, 3), "E-B")
    servicelist_apply(items=[i for i in items if i.person_local_id != "P1"],
                      as_of=date(2025, 3, 3), catalogue_version=1)
    town = make_user("zhen", "town_office", orgunit=TOWN)
    worker = make_user("cun", "village_worker", orgunit=V1, name="张专干")
    from weiji.worklists.models import ServiceItem

    task_mark(item=ServiceItem.objects.get(person=a), user=worker, status="unreachable",
              note="外出打工")
    rows = {v.code: v for v in progress_by_village(user=town, month=D1)}
    v1 = rows[V1]
    assert (v1.open, v1.done, v1.overdue, v1.total, v1.rate, v1.snapshot_total) == (
        2, 1, 1, 3, "33.3%", 3)
    assert (rows[V2].total, rows[V2].rate, rows[V2].snapshot_total) == (0, "", 0)
    # Actions count in the month they were taken (now).
    workers = progress_by_worker(user=town, month=timezone.localdate())
    assert [(w.name, w.done, w.other) for w in workers] == [("张专干", 0, 1)]
    # Village workers show up with their villages' state, whether or not they acted.
    make_user("cun2", "village_worker", orgunit=V2, name="李专干")
    workers = progress_by_worker(user=town, month=D1)
    assert [(w.name, w.done, w.village_open, w.village_overdue, w.village_rate)
            for w in workers] == [("张专干", 0, 2, 1, "33.3%"), ("李专干", 0, 0, 0, "")]
    # The worker's list: overdue first within the service, services with overdue first.
    groups = worklist_groups(worklist_items(user=worker, month=D1))
    assert [g.service for g in groups] == ["postpartum_visit", "elderly_checkup"]
    assert progress_by_village(user=worker, month=D1)[0].code == V1
