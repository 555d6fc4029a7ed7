"""Pages (outbox, statistics, templates, test send, a person's messages) and job leases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.messaging.models import JobLock, Message, MessageStatus, MessageTemplate, OptOut
from weiji.messaging.rendering import TemplateError
from weiji.messaging.scheduler import job_lock_acquire, job_lock_release, job_run, jobs_due
from weiji.messaging.services import messages_send, reminders_plan, template_save
from weiji.messaging.tests.conftest import local, make_item, make_resident


@pytest.fixture
def admin(district):
    return f.make_user(role="district_admin", orgunit=district.county)


def test_template_versions_and_limits(district, admin, tencent):
    with pytest.raises(TemplateError, match="未知变量"):
        template_save(user=admin, service="*", channel="sms", body="{nmae}您好",
                      provider_template_ids={"tencent": "1"})
    with pytest.raises(TemplateError, match="模板编号"):
        template_save(user=admin, service="anc_2", channel="sms", body="{name}您好")
    with pytest.raises(TemplateError, match="超过服务商限制"):
        template_save(user=admin, service="anc_2", channel="sms", body="{name}" + "字" * 500,
                      provider_template_ids={"tencent": "1"})
    t1 = template_save(user=admin, service="anc_2", channel="sms", body="{name}您好，{service}",
                       provider_template_ids={"tencent": "2100009"})
    t2 = template_save(user=admin, service="anc_2", channel="sms", body="{name}，{service}到期",
                       provider_template_ids={"tencent": "2100010"})
    assert (t1.version, t2.version) == (1, 2)
    assert AuditEntry.objects.filter(object_type="messaging.messagetemplate").count() == 2
    person = make_resident(district)
    make_item(person=person, service="anc_2", due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    messages_send(now=local(2026, 3, 1, 9, 5))
    msg = Message.objects.get(status=MessageStatus.SENT)
    assert msg.template_id == t2.pk and msg.body == "王芳，第2次产前检查到期"
    assert tencent.accepted[str(msg.key)]["template"] == "2100010"


def test_pages(district, admin, client, tencent):
    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    messages_send(now=local(2026, 3, 1, 9, 5))
    client.force_login(admin)
    page = client.get("/messaging/").content.decode()
    assert "王芳" in page and "138****1111" in page and "13800001111" not in page
    assert "产后42天健康检查" in client.get("/messaging/stats/?days=3650").content.decode()
    resp = client.post("/messaging/templates/", {
        "service": "*", "channel": "sms", "body": "{name}您好，请于{due_date}前办理",
        "tencent": "2100020"})
    assert resp.status_code == 302
    assert MessageTemplate.objects.filter(service="*", channel="sms", version=2).exists()
    resp = client.post("/messaging/test-send/", {"to": "13700001111", "channel": "sms",
                                                 "service": "*"})
    assert "已发送" in resp.content.decode()
    assert any(m["to"] == "13700001111" for m in tencent.accepted.values())
    history = client.get(f"/messaging/person/{person.pk}/").content.decode()
    assert "已发送" in history and "发送中" in history
    client.post(f"/messaging/person/{person.pk}/optout/", {"note": "本人电话要求"})
    assert OptOut.objects.filter(person=person, source="worker", revoked_at=None).exists()
    client.post(f"/messaging/person/{person.pk}/optout/", {"action": "revoke"})
    assert not OptOut.objects.filter(person=person, revoked_at=None).exists()


def test_pages_are_scoped_and_admin_only(district, client):
    other = make_resident(district, village=district.v3, name="南村人")
    make_item(person=other, due_from=date(2026, 3, 1), responsible="F003")
    reminders_plan(now=local(2026, 2, 20))
    worker = f.make_user(role="village_worker", orgunit=district.v1)
    client.force_login(worker)
    assert "南村人" not in client.get("/messaging/").content.decode()
    assert client.get("/messaging/templates/").status_code == 403
    assert client.get("/messaging/test-send/").status_code == 403
    assert client.get(f"/messaging/person/{other.pk}/").status_code == 404


def test_job_leases_never_overlap(db):
    assert job_lock_acquire(name="messaging.receipts", owner="a:1:1", ttl_seconds=60)
    assert not job_lock_acquire(name="messaging.receipts", owner="b:2:2", ttl_seconds=60)
    assert not job_run(name="messaging.receipts", owner="b:2:2")
    job_lock_release(name="messaging.receipts", owner="a:1:1")
    assert job_run(name="messaging.receipts", owner="b:2:2")
    lock = JobLock.objects.get(name="messaging.receipts")
    assert lock.locked_until is None and lock.last_error == ""
    assert "messaging.receipts" not in jobs_due()
    assert "messaging.receipts" in jobs_due(now=timezone.now() + timedelta(seconds=301))


def test_lease_of_a_dead_local_process_is_taken_over(db):
    import socket

    dead = f"{socket.gethostname()}:999999:1"
    assert job_lock_acquire(name="messaging.plan", owner=dead, ttl_seconds=3600)
    assert job_lock_acquire(name="messaging.plan", owner="me:1:1", ttl_seconds=60)


def test_person_reminders_tag(district, tencent):
    from django.template import Context, Template

    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    messages_send(now=local(2026, 3, 1, 9, 5))
    html = Template("{% load messaging_tags %}{% person_reminders person %}").render(
        Context({"person": person}))
    assert "已发送" in html and f"/messaging/person/{person.pk}/" in html


def test_worker_once_runs_jobs_under_their_lease(district, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.WEIJI_MESSAGING_QUIET_HOURS = "00:00-00:00"
    settings.WEIJI_MESSAGING_SEND_AT = "00:00"
    person = make_resident(district)
    make_item(person=person, due_from=timezone.localdate())
    out = StringIO()
    call_command("worker", once=True, job=["messaging.plan", "messaging.send"], stdout=out)
    assert "messaging.plan: done" in out.getvalue()
    msg = Message.objects.get(step="window_open")
    assert msg.status == MessageStatus.SENT and msg.provider == "log"
    line = open(settings.WEIJI_MESSAGING_LOG_FILE, encoding="utf-8").read()
    assert str(msg.key) in line and "王芳您好" in line
    with pytest.raises(CommandError, match="unknown job"):
        call_command("worker", once=True, job=["nope"])
