"""Tencent Cloud SMS through tencentcloud-sdk-python (API 2021-01-11, TC3-HMAC-SHA256).

Idempotency: the message key travels as ``SessionContext``; before a resend the outbox
asks ``PullSmsSendStatusByPhoneNumber`` whether a send with that SessionContext exists.
Receipts: pushed to the callback URL (JSON list) or pulled with ``PullSmsSendStatus``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.utils import timezone
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

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
    "FailedOperation.PhoneNumberInBlacklist",
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberParseFail",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    "InvalidParameterValue.TemplateParameterFormatError",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "FailedOperation.ContainSensitiveWord",
}
DEFER = {
    "LimitExceeded.PhoneNumberDailyLimit",
    "LimitExceeded.PhoneNumberSameContentDailyLimit",
    "LimitExceeded.DailyLimit",
    "LimitExceeded.DeliveryFrequencyLimit",
    "FailedOperation.InsufficientBalanceInSmsPackage",
}


def classify(code: str) -> ErrorKind:
    # RequestLimitExceeded, PhoneNumberOneHourLimit, InternalError.*, … are retried
    return classify_code(code, permanent=PERMANENT, defer=DEFER)


def _e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSmsProvider(Provider):
    name = "tencent"
    channel = "sms"

    def __init__(self, config: dict) -> None:
        self.config = config
        self.variable_max_length = config.get("variable_max_length") or None
        http = HttpProfile(endpoint=config["endpoint"], reqTimeout=config.get("timeout", 10))
        http.scheme = http.protocol = config.get("scheme", "https")
        cred = credential.Credential(config["secret_id"], config["secret_key"])
        self.client = sms_client.SmsClient(
            cred, config["region"], ClientProfile(httpProfile=http)
        )

    def _call(self, action: str, request):
        try:
            return getattr(self.client, action)(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            if code in {"ClientNetworkError", "ServerNetworkError"}:
                raise OutcomeUnknown(f"{code}: {exc.get_message()}") from exc
            raise ProviderError(classify(code), code, exc.get_message() or "") from exc

    def send(self, message: Outgoing) -> str:
        req = models.SendSmsRequest()
        req.PhoneNumberSet = [_e164(message.to)]
        req.SmsSdkAppId = self.config["sdk_app_id"]
        req.SignName = self.config["sign_name"]
        req.TemplateId = message.template_id
        req.TemplateParamSet = list(message.params.values())
        req.SessionContext = message.key
        resp = self._call("SendSms", req)
        if not resp.SendStatusSet:
            raise OutcomeUnknown("SendSms answered without SendStatusSet")
        status = resp.SendStatusSet[0]
        if status.Code != "Ok":
            raise ProviderError(classify(status.Code), status.Code, status.Message or "")
        return status.SerialNo

    def lookup(self, message: Outgoing, *, since: datetime) -> str | None:
        req = models.PullSmsSendStatusByPhoneNumberRequest()
        req.BeginTime = int((since - timedelta(minutes=5)).timestamp())
        req.EndTime = int(timezone.now().timestamp()) + 60
        req.Offset = 0
        req.Limit = 100
        req.PhoneNumber = _e164(message.to)
        req.SmsSdkAppId = self.config["sdk_app_id"]
        resp = self._call("PullSmsSendStatusByPhoneNumber", req)
        for row in resp.PullSmsSendStatusSet or []:
            if row.SessionContext == message.key:
                return row.SerialNo
        return None

    def poll_receipts(self, pending: list[Pending]) -> list[Receipt]:
        receipts: list[Receipt] = []
        while True:
            req = models.PullSmsSendStatusRequest()
            req.Limit = 100
            req.SmsSdkAppId = self.config["sdk_app_id"]
            rows = self._call("PullSmsSendStatus", req).PullSmsSendStatusSet or []
            for row in rows:
                receipts.append(
                    Receipt(
                        provider_message_id=row.SerialNo, key=row.SessionContext or "",
                        delivered=row.ReportStatus == "SUCCESS",
                        error_code="" if row.ReportStatus == "SUCCESS" else (
                            row.Description or "FAIL"),
                    )
                )
            if len(rows) < 100:
                return receipts

    def parse_receipts(self, body: bytes, *, query: dict, headers: dict) -> list[Receipt]:
        rows = json.loads(body.decode("utf-8") or "[]")
        if isinstance(rows, dict):
            rows = [rows]
        return [
            Receipt(
                provider_message_id=str(row["sid"]),
                delivered=row.get("report_status") == "SUCCESS",
                error_code="" if row.get("report_status") == "SUCCESS" else str(
                    row.get("errmsg") or "FAIL"),
            )
            for row in rows
        ]

    def parse_inbound(self, body: bytes, *, query: dict, headers: dict) -> list[Inbound]:
        rows = json.loads(body.decode("utf-8") or "[]")
        if isinstance(rows, dict):
            rows = [rows]
        return [Inbound(phone=str(r["mobile"]), text=str(r.get("text", ""))) for r in rows]


def build(config: dict) -> TencentSmsProvider:
    return TencentSmsProvider(config)
