"""Receipts and replies pushed to our callback URLs in each provider's real format."""

from __future__ import annotations

from datetime import date

import pytest

from weiji.messaging.models import Message, MessageStatus, WeChatBinding
from weiji.messaging.services import messages_send, reminders_plan
from weiji.messaging.tests.conftest import local, make_item, make_resident


@pytest.fixture
def hook(settings):
    settings.WEIJI_MESSAGING_CALLBACK_TOKEN = "s3cret-hook"
    return "s3cret-hook"


def _send_two(district):
    a = make_resident(district, phone="13800001111")
    b = make_resident(district, phone="13800002222", name="李娜")
    for p in (a, b):
        make_item(person=p, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    assert messages_send(now=local(2026, 3, 1, 9, 5)).sent == 2
    return a, b


def test_tencent_receipt_push(district, tencent, client, hook):
    a, b = _send_two(district)
    tencent.undeliverable.add(b.phone)
    resp = client.post(f"/messaging/hook/tencent/{hook}/receipts/",
                       data=tencent.receipt_push_body(), content_type="application/json")
    assert resp.status_code == 200 and resp.json() == {"result": 0, "errmsg": "OK"}
    assert Message.objects.get(person=a, status__in=["delivered"]).error_code == ""
    assert Message.objects.get(person=b, status="failed").error_code == "UNDELIV"
    # A second push of the same receipts changes nothing.
    resp = client.post(f"/messaging/hook/tencent/{hook}/receipts/", data=b"[]",
                       content_type="application/json")
    assert resp.status_code == 200


def test_aliyun_receipt_push_and_wrong_token(district, aliyun, client, hook):
    a, _ = _send_two(district)
    body = aliyun.receipt_push_body()
    assert client.post("/messaging/hook/aliyun/wrong/receipts/", data=body,
                       content_type="application/json").status_code == 404
    assert Message.objects.filter(status=MessageStatus.DELIVERED).count() == 0
    resp = client.post(f"/messaging/hook/aliyun/{hook}/receipts/", data=body,
                       content_type="application/json")
    assert resp.json() == {"code": 0, "msg": "成功"}
    assert Message.objects.filter(status=MessageStatus.DELIVERED).count() == 2


def test_wechat_event_push_is_signature_checked(district, wechat, client, hook):
    person = make_resident(district)
    WeChatBinding.objects.create(person=person, openid="oABC")
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    assert messages_send(now=local(2026, 3, 1, 9, 5)).sent == 1
    ((query, xml),) = wechat.receipt_pushes()
    forged = dict(query, signature="0" * 40)
    url = f"/messaging/hook/wechat/{hook}/receipts/"
    resp = client.post(url + "?" + "&".join(f"{k}={v}" for k, v in forged.items()),
                       data=xml, content_type="text/xml")
    assert resp.status_code == 403
    resp = client.post(url + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
                       data=xml, content_type="text/xml")
    assert resp.status_code == 200 and resp.content == b"success"
    assert Message.objects.get(step="window_open").status == MessageStatus.DELIVERED


def test_aliyun_reply_opt_out(district, aliyun, client, hook):
    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    resp = client.post(f"/messaging/hook/aliyun/{hook}/inbound/",
                       data=aliyun.reply_push_body(person.phone, "退订"),
                       content_type="application/json")
    assert resp.status_code == 200
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.expired == 1 and aliyun.total_accepted == 0


def test_emulators_reject_wrong_signatures(district, tencent, aliyun, wechat, settings):
    person = make_resident(district)
    make_item(person=person, due_from=date(2026, 3, 1))
    reminders_plan(now=local(2026, 2, 20))
    settings.WEIJI_SMS_PROVIDER = "tencent"
    settings.WEIJI_TENCENT_SMS = dict(tencent.settings(), secret_key="wrong")
    stats = messages_send(now=local(2026, 3, 1, 9, 5))
    assert stats.retried == 1 and tencent.signature_failures == 1
    assert Message.objects.get(status="queued", step="window_open").error_code == \
        "AuthFailure.SignatureFailure"
    settings.WEIJI_SMS_PROVIDER = "aliyun"
    settings.WEIJI_ALIYUN_SMS = dict(aliyun.settings(), access_key_secret="wrong")
    stats = messages_send(now=local(2026, 3, 1, 9, 30))
    assert stats.retried == 1 and aliyun.signature_failures == 1
    settings.WEIJI_ALIYUN_SMS = aliyun.settings()
    assert messages_send(now=local(2026, 3, 1, 11, 0)).sent == 1
    assert aliyun.total_accepted == 1 and tencent.total_accepted == 0
