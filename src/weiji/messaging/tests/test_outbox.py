"""Planning and sending the outbox through the providers' emulators (no mocks of our code)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.utils import timezone

from weiji.messaging.models import Message, MessageStatus, OptOut, WeChatBinding
from weiji.messaging.services import (
    messages_send,
    optout_record,
    receipts_poll,
    reminders_plan,
    reminders_replan_for_person,
)
from weiji.messaging.tests.conftest import local, make_item, make_resident


def test_plan_creates_open_and_closing_steps_idempotently(district):
    person = make_resident(district)
    item = make_item(person=person, due_from=date(2026, 3, 1), days=14)
    now = local(2026, 2, 20)
    assert reminders_plan(now=now)["created"] == 2
    assert reminders_plan(now=now)["created"] == 0
    steps = {m.step: m.planned_at for m in Message.objects.filter(item=item)}
    assert steps == {"window_open": local(2026, 3, 1, 9), "closing": local(2026, 3, 12, 9)}


def test_leads_and_closed_items_are_never_planned(district):
    person = make_resident(district)
    make_item(person=person, service="pregnancy_followup_lost", status="lead", kind="town",
              responsible="370303001")
    done = make_item(person=person, service="anc_2")
    done.state = "done"
    done.save()
    assert reminders_plan(now=local(2026, 2, 20))["created"] == 0


def test_send_through_tencent_with_receipts(district, tencent):
    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.sent == 1 and tencent.total_accepted == 1
    msg = Message.objects.get(status=MessageStatus.SENT)
    record = tencent.accepted[str(msg.key)]
    assert record["params"] == ["王芳", "3月15日", "东镇卫生院", "产后42天健康检查", "13911112222"]
    assert record["template"] == "2100001"
    assert receipts_poll(now=local(2026, 3, 1, 9, 6)) == 1
    msg.refresh_from_db()
    assert msg.status == MessageStatus.DELIVERED
    assert [e.status for e in msg.events.all()] == ["sending", "sent", "delivered"]


def test_send_through_aliyun_and_poll(district, aliyun, settings):
    # Aliyun's QuerySendDetails is by send date, which the emulator takes from its clock.
    settings.WEIJI_MESSAGING_QUIET_HOURS = "00:00-00:00"
    person = make_resident(district)
    make_item(person=person, due_from=timezone.localdate())
    reminders_plan()
    assert messages_send().sent == 1
    msg = Message.objects.get(status=MessageStatus.SENT)
    assert json.loads(json.dumps(aliyun.accepted[str(msg.key)]["params"]))["name"] == "王芳"
    aliyun.undeliverable.add(person.phone)
    assert receipts_poll() == 1
    msg.refresh_from_db()
    assert msg.status == MessageStatus.FAILED and msg.error_code == "UNDELIV"


def test_wechat_when_bound_with_token_refresh(district, wechat, tencent):
    person = make_resident(district)
    WeChatBinding.objects.create(person=person, openid="oOPENID123")
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    assert messages_send(now=local(2026, 3, 1, 9, 5)).sent == 1
    assert wechat.total_accepted == 1 and tencent.total_accepted == 0
    wechat.expire_tokens()
    person2 = make_resident(district, phone="13800002222", name="李娜")
    WeChatBinding.objects.create(person=person2, openid="oOPENID456")
    make_item(person=person2, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    assert messages_send(now=local(2026, 3, 1, 9, 6)).sent == 1
    assert wechat.tokens_issued == 2 and wechat.signature_failures == 0


def test_quiet_hours_one_per_day_and_recheck_at_send(district, tencent):
    person = make_resident(district)
    a = make_item(person=person, service="anc_2", due_from=date(2026, 3, 1))
    make_item(person=person, service="elderly_checkup", due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    # 22:00 is quiet: nothing goes out, the messages wait for 08:00.
    stats = messages_send(now=local(2026, 3, 1, 22, 0))
    assert stats.sent == 0 and tencent.total_accepted == 0
    assert Message.objects.filter(next_attempt_at=local(2026, 3, 2, 8, 0)).count() == 2
    stats = messages_send(now=local(2026, 3, 2, 8, 0))
    assert stats.sent == 1 and stats.deferred == 1  # at most one per person per day
    # The other item is done before the next day: its reminder expires, unsent.
    sent = Message.objects.get(status=MessageStatus.SENT)
    other = Message.objects.filter(status=MessageStatus.QUEUED).exclude(item=sent.item).first()
    other.item.state = "done"
    other.item.save()
    stats = messages_send(now=local(2026, 3, 3, 9, 0))
    other.refresh_from_db()
    assert other.status == MessageStatus.EXPIRED and other.error_code == "weiji:item_done"
    assert tencent.total_accepted == 1
    assert a is not None


def test_opt_out_by_reply_keyword_and_by_worker(district, tencent, client):
    person = make_resident(district)
    other = make_resident(district, phone="13800003333", name="赵敏")
    make_item(person=person, due_from=date(2026, 3, 1))
    make_item(person=other, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    optout_record(source="worker", person_id=other.pk)
    from django.conf import settings
    settings.WEIJI_MESSAGING_CALLBACK_TOKEN = "hooktoken"
    resp = client.post("/messaging/hook/tencent/hooktoken/inbound/",
                       data=tencent.reply_push_body(person.phone, "TD"),
                       content_type="application/json")
    assert resp.status_code == 200
    assert OptOut.objects.filter(phone=person.phone, source="sms_reply").exists()
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.sent == 0 and stats.expired == 2 and tencent.total_accepted == 0


def test_replan_moves_pending_reminders_when_dates_change(district):
    person = make_resident(district)
    old = make_item(person=person, service="anc_3", due_from=date(2026, 4, 1), days=27)
    reminders_plan(now=local(2026, 3, 1))
    # worklists drops the item and creates a new one after an LMP correction.
    old.state = "dropped"
    old.save()
    new = make_item(person=person, service="anc_3", due_from=date(2026, 4, 8), days=27)
    counts = reminders_replan_for_person(person_id=person.pk, now=local(2026, 3, 2))
    assert counts["expired"] == 2 and counts["created"] == 2
    pending = Message.objects.filter(status=MessageStatus.QUEUED)
    assert {m.item_id for m in pending} == {new.pk}
    assert min(m.planned_at for m in pending) == local(2026, 4, 8, 9)


def test_window_passed_and_dead_person_expire(district, tencent):
    person = make_resident(district)
    item = make_item(person=person, due_from=date(2026, 3, 1), days=5)
    reminders_plan(now=local(2026, 2, 20))
    assert messages_send(now=local(2026, 3, 7, 9, 0)).expired == 2
    person2 = make_resident(district, phone="13800004444")
    make_item(person=person2, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    person2.death_date = date(2026, 2, 25)
    person2.save()
    assert messages_send(now=local(2026, 3, 1, 9, 5)).expired == 1
    assert tencent.total_accepted == 0 and item is not None


def test_provider_errors_are_classified(district, tencent):
    people = [make_resident(district, phone=f"1380000{i:04d}", name=f"人{i}") for i in range(3)]
    for p in people:
        make_item(person=p, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    tencent.blacklist.add(people[2].phone)
    tencent.fail_next = ["LimitExceeded.PhoneNumberDailyLimit"]
    tencent.request_limit_next = 0
    now = local(2026, 3, 1, 9, 5)
    stats = messages_send(now=now, limit=1, max_batches=1)  # first: daily limit -> tomorrow
    assert stats.deferred == 1
    tencent.request_limit_next = 1
    stats = messages_send(now=now, limit=1, max_batches=1)  # RequestLimitExceeded -> retry
    assert stats.retried == 1
    stats = messages_send(now=now + timedelta(minutes=10))
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert failed.error_code == "FailedOperation.PhoneNumberInBlacklist"
    assert failed.person_id == people[2].pk
    assert Message.objects.filter(person=people[1], status=MessageStatus.SENT).exists()
    assert not tencent.duplicates


def test_variable_length_checked_before_sending(district, tencent):
    district.f1.name = "东镇中心卫生院妇幼保健计划生育服务站"
    district.f1.save()
    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.failed == 1 and tencent.total_accepted == 0
    assert Message.objects.filter(error_code="weiji:template_limit").count() == 1


def test_aliyun_throttling_and_wechat_frequency_limit(district, aliyun, wechat):
    sms = make_resident(district, phone="13800005555", name="短信人")
    wx = make_resident(district, phone="13800006666", name="微信人")
    WeChatBinding.objects.create(person=wx, openid="oWX")
    for p in (sms, wx):
        make_item(person=p, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    aliyun.throttle_next = 1  # HTTP 400 Throttling.User: try again shortly
    wechat.rate_limit_next = 1  # errcode 45009: not again today
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.retried == 1 and stats.deferred == 1
    codes = set(Message.objects.filter(status="queued", step="window_open")
                .values_list("error_code", flat=True))
    assert codes == {"Throttling.User", "45009"}
    stats = messages_send(now=local(2026, 3, 1, 9, 30))
    assert stats.sent == 1 and aliyun.total_accepted == 1 and wechat.total_accepted == 0
    stats = messages_send(now=local(2026, 3, 2, 9, 0))
    assert stats.sent == 1 and wechat.total_accepted == 1
