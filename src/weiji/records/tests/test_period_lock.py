"""An approved monthly report form locks its town's month against new web records."""

from __future__ import annotations

from datetime import date

import pytest

from weiji.accounts.models import Role
from weiji.core.testing import make_person, make_tree, make_user
from weiji.records.locks import period_is_locked, period_lock
from weiji.records.recording import EventError, event_record

pytestmark = pytest.mark.django_db


def test_locked_month_refuses_records_of_that_month_only():
    tree = make_tree()
    woman = make_person(village=tree.v1, birth_date=date(1990, 5, 1))
    other_town = make_person(village=tree.v3, birth_date=date(1990, 5, 1))
    user = make_user(role=Role.TOWN_OFFICE, orgunit=tree.town1)
    period_lock(town_code=tree.town1.code, month=date(2026, 10, 15), locked_by="区卫计局")
    assert period_is_locked(village_code=tree.v1.code, day=date(2026, 10, 31))
    assert not period_is_locked(village_code=tree.v1.code, day=date(2026, 11, 1))
    assert not period_is_locked(village_code=tree.v3.code, day=date(2026, 10, 31))

    with pytest.raises(EventError) as refused:
        event_record(person=woman, type="health_checkup", date=date(2026, 10, 20), user=user)
    assert "date" in refused.value.errors and "锁定" in refused.value.errors["date"]
    # The next month, and another town's same month, stay open.
    assert event_record(person=woman, type="health_checkup", date=date(2026, 11, 2), user=user)
    assert event_record(person=other_town, type="health_checkup", date=date(2026, 10, 20),
                        user=make_user(role=Role.TOWN_OFFICE, orgunit=tree.town2))


def test_lock_is_idempotent():
    tree = make_tree()
    first = period_lock(town_code=tree.town1.code, month=date(2026, 10, 1))
    again = period_lock(town_code=tree.town1.code, month=date(2026, 10, 31))
    assert first.pk == again.pk
