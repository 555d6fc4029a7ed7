"""Campaign appointment reminders (预约提醒) through the outbox: real database, log provider
and the Tencent emulator (no mocks of our code)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from weiji.campaigns.definition import definition_from_mapping, definition_from_yaml
from weiji.campaigns.models import CampaignTarget
from weiji.campaigns.services import (
    campaign_checkin,
    campaign_home_visit,
    campaign_import,
    campaign_reminder_days,
    campaign_reminders_plan,
)
from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.messaging.models import Message, MessageEvent, MessageStatus, OptOutSource
from weiji.messaging.rendering import TemplateError
from weiji.messaging.services import (
    message_test_send,
    messages_send,
    optout_record,
    reminders_plan,
    reminders_replan_for_person,
    template_save,
)
from weiji.messaging.tasks import job_plan
from weiji.messaging.tests.conftest import TEMPLATE_IDS, local, make_item, make_resident

START, END = date(2026, 3, 1), date(2026, 3, 31)
CAMPAIGN_BODY = "{name}您好，{campaign}于{dates}在{site}进行，请参加，电话{phone}"


def _campaign(tree, **over):
    data = {
        "code": "spring26", "name": "春季妇女查体", "start": START, "end": END,
        "target": {"rule": "spring_women_checkup", "born_on_or_after": "1973-01-01"},
        "thresholds": {"rural": {"attendance": 0.85, "visit": 0.97},
                       "urban": {"attendance": 0.5, "visit": 0.7}},
        "sites": {tree.zone1.code: tree.f1.code},
    }
    data.update(over)
    return campaign_import(definition=definition_from_mapping(data, source="test"))


def _targets(campaign, *people):
    return [CampaignTarget.objects.create(campaign=campaign, person=p, village=p.village)
            for p in people]


@pytest.fixture
def world(district):
    campaign = _campaign(district)
    a = make_resident(district, phone="13800000001", name="王芳")
    b = make_resident(district, phone="13800000002", name="李娜")
    c = make_resident(district, phone="", name="张丽")
    _targets(campaign, a, b, c)
    staff = f.make_user(role="facility_staff", facility=district.f1)
    return district, campaign, (a, b, c), staff


def _campaign_template(service="campaign:*"):
    for channel in ("sms", "wechat"):
        template_save(user=None, service=service, channel=channel, body=CAMPAIGN_BODY,
                      provider_template_ids=TEMPLATE_IDS)


def test_reminder_days_follow_the_definition():
    defn = definition_from_yaml(
        "code: x\nname: x\nstart: 2026-03-01\nend: 2026-03-31\n"
        "target: {rule: spring_women_checkup, born_on_or_after: 1973-01-01}\n"
        "thresholds: {rural: {attendance: 0.8, visit: 0.9}, urban: {attendance: 0.5, visit: 0.7}}\n"
        "reminders: {days_before_end: 5}\n")
    assert defn.reminder_days_before_end == 5
    with pytest.raises(ValueError, match="reminders.days_before_end"):
        definition_from_yaml("code: x\nname: x\nstart: 2026-03-01\nend: 2026-03-31\n"
                             "target: {rule: spring_women_checkup, born_on_or_after: 1973-01-01}\n"
                             "thresholds: {rural: {attendance: 0.8, visit: 0.9}, "
                             "urban: {attendance: 0.5, visit: 0.7}}\n"
                             "reminders: {days_before_end: many}\n")


def test_plan_only_targets_with_a_phone_who_have_not_come(world):
    tree, campaign, (a, b, c), staff = world
    assert campaign.reminder_days_before_end == 3
    assert campaign_reminder_days(campaign=campaign, today=date(2026, 2, 20)) == {
        "campaign_start": START, "campaign_closing": date(2026, 3, 28)}
    campaign_checkin(campaign=campaign, person=b, facility=tree.f1, user=staff, day=START)
    counts = campaign_reminders_plan(campaign=campaign, now=local(2026, 3, 1, 7, 0))
    assert counts == {"created": 2, "moved": 0, "skipped_attended": 1, "skipped_no_phone": 1}
    msgs = {m.step: m for m in Message.objects.filter(person=a)}
    assert set(msgs) == {"campaign_start", "campaign_closing"}
    assert msgs["campaign_start"].planned_at == local(2026, 3, 1, 9, 0)
    assert msgs["campaign_closing"].planned_at == local(2026, 3, 28, 9, 0)
    assert msgs["campaign_start"].service == "campaign" and msgs["campaign_start"].item is None
    assert not Message.objects.filter(person__in=[b, c]).exists()
    # Idempotent: planning again (the job, the button) creates nothing new.
    again = campaign_reminders_plan(campaign=campaign, now=local(2026, 3, 1, 8, 0))
    assert again["created"] == 0 and Message.objects.count() == 2
    # A second reminder day of 0 means none; late in the campaign only the closing one.
    campaign.reminder_days_before_end = 0
    assert campaign_reminder_days(campaign=campaign, today=START) == {"campaign_start": START}
    campaign.reminder_days_before_end = 3
    assert campaign_reminder_days(campaign=campaign, today=date(2026, 3, 29)) == {
        "campaign_closing": date(2026, 3, 29)}
    assert campaign_reminder_days(campaign=campaign, today=date(2026, 4, 1)) == {}


def test_send_rechecks_attendance_and_marks_reminded(world, tencent):
    tree, campaign, (a, b, _c), staff = world
    _campaign_template()
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 25))
    assert Message.objects.filter(step="campaign_start").count() == 2
    # b comes to the site before the reminders go out: hers is not sent.
    campaign_checkin(campaign=campaign, person=b, facility=tree.f1, user=staff, day=START)
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.sent == 1 and stats.expired == 1 and tencent.total_accepted == 1
    sent = Message.objects.get(status=MessageStatus.SENT)
    assert sent.person_id == a.pk
    assert "春季妇女查体" in sent.body and "东镇卫生院" in sent.body and "3月1日至31日" in sent.body
    assert "13911112222" in sent.body
    received = next(iter(tencent.accepted.values()))
    assert received["params"] == ["王芳", "春季妇女查体", "3月1日至31日", "东镇卫生院", "13911112222"]
    skipped = Message.objects.get(person=b, step="campaign_start")
    assert skipped.status == MessageStatus.EXPIRED
    assert skipped.error_code == "weiji:campaign_attended"
    assert list(skipped.events.values_list("status", flat=True)) == ["expired"]
    target_a = CampaignTarget.objects.get(campaign=campaign, person=a)
    target_b = CampaignTarget.objects.get(campaign=campaign, person=b)
    assert target_a.reminded_at == local(2026, 3, 1, 9, 5) and target_b.reminded_at is None
    client = Client()
    client.force_login(f.make_user(role="town_office", orgunit=tree.town1))
    page = client.get(f"/campaigns/{campaign.code}/targets/").content.decode()
    assert page.count('class="reminded">2026-03-01<') == 1
    # A home visit also counts: a's closing reminder is not sent either.
    campaign_home_visit(campaign=campaign, person=a, visited_by="村医", user=staff,
                        day=date(2026, 3, 20))
    stats = messages_send(now=local(2026, 3, 28, 9, 5))
    closing = Message.objects.get(person=a, step="campaign_closing")
    assert closing.status == MessageStatus.EXPIRED
    assert closing.error_code == "weiji:campaign_attended" and tencent.total_accepted == 1


def test_campaign_ended_before_the_reminder_went_out(world):
    _tree, campaign, (a, _b, _c), _staff = world
    campaign_reminders_plan(campaign=campaign, now=local(2026, 3, 1, 7, 0))
    # Nothing was sent (e.g. the worker stood still) until after the end.
    stats = messages_send(now=local(2026, 4, 1, 9, 5))
    assert stats.sent == 0 and stats.expired == 4
    codes = set(Message.objects.values_list("error_code", flat=True))
    assert codes == {"weiji:campaign_ended"}
    assert CampaignTarget.objects.filter(reminded_at__isnull=False).count() == 0
    assert a is not None


def test_one_message_per_day_across_service_and_campaign_reminders(world, settings):
    _tree, campaign, (a, _b, _c), _staff = world
    make_item(person=a, service="anc_2", due_from=START)
    reminders_plan(now=local(2026, 2, 20))
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 20))
    assert Message.objects.filter(person=a, planned_at=local(2026, 3, 1, 9, 0)).count() == 2
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    # a gets one of her two reminders today, the other tomorrow; b gets hers.
    assert stats.sent == 2 and stats.deferred == 1
    assert Message.objects.filter(person=a, send_day=START).count() == 1
    stats = messages_send(now=local(2026, 3, 2, 9, 5))
    assert stats.sent == 1
    days = sorted(Message.objects.filter(person=a, status=MessageStatus.SENT)
                  .values_list("send_day", flat=True))
    assert days == [START, date(2026, 3, 2)]
    lines = [json.loads(x) for x in open(settings.WEIJI_MESSAGING_LOG_FILE, encoding="utf-8")]
    assert len([x for x in lines if x.get("to") == a.phone]) == 2


def test_opt_out_is_respected(world, tencent):
    _tree, campaign, (a, b, _c), _staff = world
    _campaign_template()
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 25))
    optout_record(source=OptOutSource.WORKER, person_id=a.pk)
    optout_record(source=OptOutSource.SMS_REPLY, phone=b.phone, keyword="TD")
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.sent == 0 and stats.expired == 2 and tencent.total_accepted == 0
    assert set(Message.objects.filter(step="campaign_start").values_list(
        "error_code", flat=True)) == {"weiji:opted_out"}


def test_never_sent_twice_on_retry_and_after_a_lost_answer(world, tencent, settings):
    _tree, campaign, (a, b, _c), _staff = world
    _campaign_template("campaign:spring26")
    settings.WEIJI_MESSAGING_PROVIDER_TIMEOUT = 1
    settings.WEIJI_MESSAGING_SENDING_LEASE_SECONDS = 30
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 25))
    now = local(2026, 3, 1, 9, 5)
    # One answer is lost after the provider accepted (timeout): outcome unknown.
    tencent.delay_after_accept, tencent.delay_count = 2.5, 1
    stats = messages_send(now=now)
    assert stats.unknown == 1 and stats.sent == 1 and tencent.total_accepted == 2
    # The plan job runs again meanwhile: nothing is planned twice.
    assert campaign_reminders_plan(campaign=campaign, now=now)["created"] == 0
    # After the lease, the key is found at Tencent: marked sent, not sent again.
    stats = messages_send(now=now + timedelta(seconds=31))
    assert stats.recovered == 1
    assert Message.objects.filter(step="campaign_start",
                                  status=MessageStatus.SENT).count() == 2
    assert tencent.total_accepted == 2 and not tencent.duplicates
    assert CampaignTarget.objects.filter(reminded_at__isnull=False).count() == 2
    assert all(len(r["params"]) == 5 and r["params"][2] == "3月1日至31日"
               for r in tencent.accepted.values())
    # A retryable provider error on the closing reminder: retried later with the same key.
    tencent.request_limit_next = 1
    closing = local(2026, 3, 28, 9, 5)
    stats = messages_send(now=closing, limit=1, max_batches=1)
    assert stats.retried == 1
    stats = messages_send(now=closing + timedelta(minutes=10))
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 4
    assert tencent.total_accepted == 4 and not tencent.duplicates
    assert messages_send(now=closing + timedelta(hours=2)).sent == 0
    history = list(Message.objects.get(person=a, step="campaign_start").events
                   .order_by("id").values_list("status", flat=True))
    assert history[0] == "sending" and history[-1] == "sent"
    assert b is not None


def test_campaign_template_versions_and_limits(district, tencent):
    _campaign_template("campaign:spring26")
    tpl = template_save(user=None, service="campaign:spring26", channel="sms",
                        body=CAMPAIGN_BODY + "。", provider_template_ids=TEMPLATE_IDS)
    assert tpl.version == 2
    with pytest.raises(TemplateError, match="due_date"):
        template_save(user=None, service="campaign:*", channel="sms",
                      body="{name}请于{due_date}前来", provider_template_ids=TEMPLATE_IDS)
    with pytest.raises(TemplateError, match="短信全文"):
        template_save(user=None, service="campaign:*", channel="sms",
                      body="{name}" + "请" * 520, provider_template_ids=TEMPLATE_IDS)
    # A campaign whose name does not fit Tencent's 12 characters a variable: not sent.
    campaign = _campaign(district, name="二〇二六年春季育龄妇女健康查体活动")
    person = make_resident(district)
    _targets(campaign, person)
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 25))
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.failed == 1 and tencent.total_accepted == 0
    assert Message.objects.get(step="campaign_start").error_code == "weiji:template_limit"
    # The administrator's test send renders the campaign template with sample values.
    admin = f.make_user(role="district_admin")
    msg = message_test_send(user=admin, to="13700000000", service="campaign:spring26")
    assert msg.status == MessageStatus.SENT and "春季妇女健康查体" in msg.body


def test_plan_job_and_person_replan_keep_campaign_reminders(world):
    _tree, _campaign_obj, (a, _b, _c), _staff = world
    counts = job_plan()  # the real clock: the 2026 campaign is not running now
    assert "campaigns" in counts
    today = timezone.localdate()
    running = _campaign(_tree, code="now", start=today - timedelta(days=1),
                        end=today + timedelta(days=10))
    _targets(running, a)
    counts = job_plan()
    assert counts["campaigns"]["now"]["created"] == 2
    assert "spring26" not in counts["campaigns"]
    reminders_replan_for_person(person_id=a.pk)
    assert Message.objects.filter(person=a, status=MessageStatus.QUEUED).count() == 2
    assert not MessageEvent.objects.filter(status=MessageStatus.EXPIRED).exists()


def test_town_office_button(world, client):
    tree, ended, (a, b, _c), _staff = world
    today = timezone.localdate()
    campaign = _campaign(tree, code="now", start=today, end=today + timedelta(days=10))
    _targets(campaign, a, b)
    office = f.make_user(role="town_office", orgunit=tree.town1)
    client.force_login(office)
    page = client.get(f"/campaigns/{campaign.code}/")
    assert "发送预约提醒" in page.content.decode()
    response = client.post(f"/campaigns/{campaign.code}/remind/", follow=True)
    assert "已安排预约提醒 4 条" in response.content.decode()
    assert Message.objects.filter(campaign_target__campaign=campaign).count() == 4
    assert AuditEntry.objects.filter(detail__what="campaign_reminders").exists()
    # The button again: nothing twice.
    client.post(f"/campaigns/{campaign.code}/remind/")
    assert Message.objects.filter(service="campaign").count() == 4
    # An ended campaign has no button and refuses.
    assert "发送预约提醒" not in client.get(f"/campaigns/{ended.code}/").content.decode()
    client.post(f"/campaigns/{ended.code}/remind/")
    assert not Message.objects.filter(campaign_target__campaign=ended).exists()
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    client.force_login(worker)
    assert client.post(f"/campaigns/{campaign.code}/remind/").status_code == 403


def test_resend_after_recovery_keeps_the_template_order(world, tencent, settings):
    _tree, campaign, (a, _b, _c), _staff = world
    _campaign_template()
    settings.WEIJI_MESSAGING_SENDING_LEASE_SECONDS = 30
    _targets_only = CampaignTarget.objects.filter(campaign=campaign, person=a)
    campaign_reminders_plan(campaign=campaign, now=local(2026, 2, 25), targets=_targets_only)
    good = dict(tencent.settings())
    settings.WEIJI_TENCENT_SMS = dict(good, endpoint="127.0.0.1:9")  # nothing listens there
    now = local(2026, 3, 1, 9, 5)
    assert messages_send(now=now).unknown == 1 and tencent.total_accepted == 0
    settings.WEIJI_TENCENT_SMS = good
    # Not at Tencent: sent again with the same key, the params loaded back from the database.
    stats = messages_send(now=now + timedelta(seconds=31))
    assert stats.sent == 1 and tencent.total_accepted == 1 and not tencent.duplicates
    received = next(iter(tencent.accepted.values()))
    assert received["params"] == ["王芳", "春季妇女查体", "3月1日至31日", "东镇卫生院", "13911112222"]
    assert received["key"] == str(Message.objects.get(person=a, step="campaign_start").key)
