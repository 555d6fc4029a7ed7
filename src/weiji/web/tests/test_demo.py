"""``weiji demo --no-serve`` builds a usable demo district with one account per role."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from weiji.accounts.models import Role, User
from weiji.registry.models import Person
from weiji.web.management.commands.demo import DEMO_PASSWORD
from weiji.worklists.models import ServiceItem


@pytest.mark.django_db(transaction=True)
def test_demo_prepares_district_lists_and_accounts(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("demo", persons=300, seed=5, no_serve=True)
    out = capsys.readouterr().out
    assert Person.objects.count() >= 300
    assert ServiceItem.objects.exists()
    roles = set(User.objects.values_list("role", flat=True))
    assert {Role.DISTRICT_ADMIN, Role.TOWN_OFFICE, Role.VILLAGE_WORKER} <= roles
    assert "演示账号" in out and DEMO_PASSWORD in out
    client = Client()
    assert client.login(username="village", password=DEMO_PASSWORD)
    # Running it again keeps the data and the accounts (idempotent).
    persons = Person.objects.count()
    call_command("demo", persons=300, seed=5, no_serve=True)
    assert Person.objects.count() == persons
