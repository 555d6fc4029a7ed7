"""Provider timeouts and outages: nothing lost, nothing sent twice (emulators count)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from weiji.messaging.models import Message, MessageStatus, WeChatBinding
from weiji.messaging.services import messages_send, reminders_plan
from weiji.messaging.tests.conftest import local, make_item, make_resident

NOW = local(2026, 3, 1, 9, 5)
PLAN_AT = local(2026, 2, 20)


def _residents(district, n=5, *, wechat=False, due_from=date(2026, 3, 1),
               plan_at=PLAN_AT):
    people = []
    for i in range(n):
        p = make_resident(district, phone=f"1380000{i:04d}", name=f"居民{i}")
        if wechat:
            WeChatBinding.objects.create(person=p, openid=f"oOPEN{i:04d}")
        make_item(person=p, due_from=due_from)
        people.append(p)
    reminders_plan(now=plan_at)
    return people


@pytest.mark.parametrize("emulator", ["tencent", "aliyun", "wechat"])
def test_timeout_after_the_provider_accepted(district, emulator, request, settings):
    emu = request.getfixturevalue(emulator)
    if emulator == "aliyun":  # QuerySendDetails looks at the send date: use the real clock
        settings.WEIJI_MESSAGING_QUIET_HOURS = "00:00-00:00"
    settings.WEIJI_MESSAGING_PROVIDER_TIMEOUT = 1
    settings.WEIJI_MESSAGING_SENDING_LEASE_SECONDS = 30
    if emulator == "aliyun":
        now = timezone.now()
        _residents(district, 5, due_from=timezone.localdate(), plan_at=now)
    else:
        now = NOW
        _residents(district, 5, wechat=emulator == "wechat")
    emu.delay_after_accept, emu.delay_count = 2.5, 2  # two responses are lost
    stats = messages_send(now=now)
    assert stats.unknown == 2 and stats.sent == 3 and emu.total_accepted == 5
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 2
    # Before the lease runs out nothing is touched; after it the key is checked (or, for
    # WeChat, re-sent with the same client_msg_id, which WeChat de-duplicates).
    assert messages_send(now=now + timedelta(seconds=10)).recovered == 0
    stats = messages_send(now=now + timedelta(seconds=31))
    expected_recovered = 0 if emulator == "wechat" else 2
    assert stats.recovered == expected_recovered
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 5
    assert emu.total_accepted == 5 and not emu.duplicates


def test_provider_down_then_back(district, tencent, settings):
    settings.WEIJI_MESSAGING_SENDING_LEASE_SECONDS = 30
    _residents(district, 3)
    good = dict(tencent.settings())
    settings.WEIJI_TENCENT_SMS = dict(good, endpoint="127.0.0.1:9")  # nothing listens there
    stats = messages_send(now=NOW)
    assert stats.unknown == 3 and tencent.total_accepted == 0
    # Still down when the lease runs out: the lookup fails, the messages stay "sending".
    stats = messages_send(now=NOW + timedelta(seconds=31))
    assert len(stats.errors) == 3
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 3
    settings.WEIJI_TENCENT_SMS = good
    stats = messages_send(now=NOW + timedelta(seconds=62))
    assert stats.recovered == 0 and stats.sent == 3
    assert tencent.total_accepted == 3 and not tencent.duplicates


def test_wechat_unconfirmed_after_dedupe_window_is_not_resent(district, wechat, settings):
    settings.WEIJI_MESSAGING_PROVIDER_TIMEOUT = 1
    _residents(district, 1, wechat=True)
    wechat.delay_after_accept, wechat.delay_count = 2.5, 1
    assert messages_send(now=NOW).unknown == 1
    stats = messages_send(now=NOW + timedelta(minutes=11))
    msg = Message.objects.get(step="window_open")
    assert stats.failed == 1 and msg.status == MessageStatus.FAILED
    assert msg.error_code == "weiji:outcome_unknown" and wechat.total_accepted == 1
