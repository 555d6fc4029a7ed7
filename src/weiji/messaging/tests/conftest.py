"""Fixtures for messaging tests: a small district, due items, provider emulators."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from weiji.core import testing as f
from weiji.messaging.emulators import AliyunEmulator, TencentEmulator, WeChatEmulator
from weiji.messaging.models import MessageTemplate
from weiji.worklists.models import ServiceItem

TEMPLATE_IDS = {"tencent": "2100001", "aliyun": "SMS_460001", "wechat": "tmpl-remind"}


def local(y, m, d, hh=10, mm=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, hh, mm))


@pytest.fixture
def district(db):
    tree = f.make_tree()
    worker = f.make_user(role="village_worker", orgunit=tree.v1)
    worker.phone = "13911112222"
    worker.save(update_fields=["phone"])
    for service in ("*",):
        for channel in ("sms", "wechat"):
            MessageTemplate.objects.create(
                service=service, channel=channel, version=1,
                body="{name}您好，请于{due_date}前到{place}做{service}，电话{phone}",
                provider_template_ids=TEMPLATE_IDS,
            )
    return tree


def make_item(*, person, service="postpartum_42d", due_from=date(2026, 3, 1), days=14,
              village=None, responsible="F001", kind="facility", status="due") -> ServiceItem:
    return ServiceItem.objects.create(
        person=person, service=service, due_from=due_from,
        due_until=due_from + timedelta(days=days), status=status,
        village=village or person.village, responsible=responsible, responsible_kind=kind,
    )


def make_resident(tree, *, phone="13800001111", name="王芳", village=None):
    return f.make_person(village=village or tree.v1, name=name, sex="2",
                         birth_date=date(1995, 3, 2), phone=phone)


@pytest.fixture
def tencent(settings):
    with TencentEmulator() as emu:
        settings.WEIJI_SMS_PROVIDER = "tencent"
        settings.WEIJI_TENCENT_SMS = emu.settings()
        yield emu


@pytest.fixture
def aliyun(settings):
    with AliyunEmulator() as emu:
        settings.WEIJI_SMS_PROVIDER = "aliyun"
        settings.WEIJI_ALIYUN_SMS = emu.settings()
        yield emu


@pytest.fixture
def wechat(settings):
    with WeChatEmulator() as emu:
        settings.WEIJI_WECHAT_PROVIDER = "wechat"
        settings.WEIJI_WECHAT = emu.settings()
        yield emu


@pytest.fixture(autouse=True)
def _log_file(settings, tmp_path):
    settings.WEIJI_MESSAGING_LOG_FILE = str(tmp_path / "messages.log")
    settings.WEIJI_MESSAGING_PROVIDER_TIMEOUT = 2
