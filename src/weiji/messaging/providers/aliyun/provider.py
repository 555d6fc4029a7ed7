"""Aliyun SMS (dysmsapi 2017-05-25) through its official SDK (ACS3-HMAC-SHA256 signatures).

Idempotency: the message key travels as ``OutId``; before a resend the outbox asks
``QuerySendDetails`` (by number and day) whether a send with that OutId exists, and
receipts are polled the same way. Pushed receipts (HTTP batch push) carry ``out_id``.
"""

from __future__ import annotations

import json
from datetime import datetime

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_models
from darabonba.exceptions import DaraException
from darabonba.runtime import RuntimeOptions
from django.utils import timezone

from weiji.messaging.providers.base import (
    ErrorKind,
    Inbound,
    OutcomeUnknown,
    Outgoing,
    Pending,
    Provider,
    ProviderError,
    Receipt,
    classify_code,
)

PERMANENT = {
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.DENY_IP_RANGE",
    "isv.SMS_CONTENT_ILLEGAL",
}
DEFER = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
}


def classify(code: str) -> ErrorKind:
    # Throttling.*, isp.SYSTEM_ERROR, SignatureDoesNotMatch, … are retried
    return classify_code(code, permanent=PERMANENT, defer=DEFER)


class AliyunSmsProvider(Provider):
    name = "aliyun"
    channel = "sms"

    def __init__(self, config: dict) -> None:
        self.config = config
        self.variable_max_length = config.get("variable_max_length") or None
        cfg = open_api_models.Config(
            access_key_id=config["access_key_id"],
            access_key_secret=config["access_key_secret"],
            endpoint=config["endpoint"],
            protocol=config.get("scheme", "https"),
        )
        self.client = Client(cfg)
        timeout_ms = int(config.get("timeout", 10) * 1000)
        self.runtime = RuntimeOptions(
            autoretry=False, read_timeout=timeout_ms, connect_timeout=timeout_ms
        )

    def _call(self, method: str, request):
        try:
            return getattr(self.client, method)(request, self.runtime).body
        except DaraException as exc:
            code = str(getattr(exc, "code", "") or "")
            if not code or getattr(exc, "status_code", None) is None:
                raise OutcomeUnknown(str(exc)) from exc
            raise ProviderError(classify(code), code, str(exc.message or "")) from exc
        except Exception as exc:  # connection reset, timeout: the outcome is unknown
            raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc

    def send(self, message: Outgoing) -> str:
        req = models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=self.config["sign_name"],
            template_code=message.template_id,
            template_param=json.dumps(message.params, ensure_ascii=False),
            out_id=message.key,
        )
        body = self._call("send_sms_with_options", req)
        if body.code != "OK":
            raise ProviderError(classify(body.code or ""), body.code or "", body.message or "")
        return body.biz_id

    def _details(self, phone: str, day: datetime, biz_id: str = "") -> list:
        rows, page = [], 1
        while True:
            req = models.QuerySendDetailsRequest(
                phone_number=phone, send_date=timezone.localtime(day).strftime("%Y%m%d"),
                page_size=50, current_page=page, biz_id=biz_id or None,
            )
            body = self._call("query_send_details_with_options", req)
            if body.code != "OK":
                raise ProviderError(classify(body.code or ""), body.code or "", body.message)
            got = (body.sms_send_detail_dtos.sms_send_detail_dto
                   if body.sms_send_detail_dtos else None) or []
            rows.extend(got)
            if len(got) < 50:
                return rows
            page += 1

    def lookup(self, message: Outgoing, *, since: datetime) -> str | None:
        days = {timezone.localtime(since).date(), timezone.localdate()}
        for day in sorted(days):
            stamp = timezone.make_aware(datetime.combine(day, datetime.min.time()))
            for row in self._details(message.to, stamp):
                if row.out_id == message.key:
                    return f"out:{message.key}"
        return None

    def poll_receipts(self, pending: list[Pending]) -> list[Receipt]:
        receipts = []
        for p in pending:
            for row in self._details(p.to, p.sent_at):
                if row.out_id != p.key or row.send_status == 1:  # 1 = waiting for receipt
                    continue
                receipts.append(Receipt(
                    provider_message_id=p.provider_message_id, key=p.key,
                    delivered=row.send_status == 3,
                    error_code="" if row.send_status == 3 else (row.err_code or "FAIL"),
                ))
        return receipts

    def parse_receipts(self, body: bytes, *, query: dict, headers: dict) -> list[Receipt]:
        rows = json.loads(body.decode("utf-8") or "[]")
        return [
            Receipt(
                provider_message_id=str(r.get("biz_id", "")), key=str(r.get("out_id") or ""),
                delivered=bool(r.get("success")),
                error_code="" if r.get("success") else str(r.get("err_code") or "FAIL"),
            )
            for r in rows
        ]

    def parse_inbound(self, body: bytes, *, query: dict, headers: dict) -> list[Inbound]:
        rows = json.loads(body.decode("utf-8") or "[]")
        return [Inbound(phone=str(r["phone_number"]), text=str(r.get("content", "")))
                for r in rows]


def build(config: dict) -> AliyunSmsProvider:
    return AliyunSmsProvider(config)
