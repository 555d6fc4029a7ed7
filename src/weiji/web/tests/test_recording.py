"""event_record: stored, audited, and the person's service list refreshed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.records.recording import EventError, event_record, servicelists_refresh
from weiji.worklists.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_recording_a_newborn_visit_closes_it_on_the_service_list():
    tree = f.make_tree()
    user = f.make_user(role="village_doctor", orgunit=tree.v1)
    today = timezone.localdate()
    mother = f.make_person(village=tree.v1, name="母", birth_date=today - timedelta(days=10000))
    child = f.make_person(village=tree.v1, name="子", sex="1",
                          birth_date=today - timedelta(days=5), mother=mother)
    servicelists_refresh(person_id=child.pk)
    item = ServiceItem.objects.get(person=child, service="newborn_visit")
    assert item.state == "open"
    event = event_record(person=child, type="newborn_visit", date=today, user=user,
                         performed_by="李医生")
    item.refresh_from_db()
    assert item.state == "done"
    assert (event.recorded_by, event.signed_by, event.performed_by) == (
        user, user.username, "李医生")
    assert AuditEntry.objects.filter(action="create", object_id=str(event.pk)).exists()


def test_event_error_lists_every_problem():
    tree = f.make_tree()
    person = f.make_person(village=tree.v1, sex="1")
    with pytest.raises(EventError) as info:
        event_record(person=person, type="vaccination", date=person.birth_date, user=None,
                     vaccine="NOPE", dose=0)
    assert set(info.value.errors) == {"vaccine", "dose"}
    with pytest.raises(EventError) as info:
        event_record(person=person, type="marriage", date=person.birth_date, user=None,
                     partner=person)
    assert "partner" in info.value.errors
