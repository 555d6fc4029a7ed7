"""WeChat official-account template messages through wechatpy (access_token flow).

Idempotency: ``client_msg_id`` = the message key; WeChat sends one message per
(openid, client_msg_id) within 10 minutes, so a resend inside that window is safe.
There is no lookup API: after that window an unconfirmed send is not repeated.
Receipts: the TEMPLATESENDJOBFINISH event pushed to the server URL (signature checked).
"""

from __future__ import annotations

import requests
from wechatpy import parse_message
from wechatpy.client import WeChatClient
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_signature

from weiji.messaging.providers.base import (
    ErrorKind,
    OutcomeUnknown,
    Outgoing,
    Provider,
    ProviderError,
    Receipt,
)

# 43101 user refused (subscribe), 43004 not following, 40003 bad openid, 43019 blacklisted.
PERMANENT = {43101, 43004, 40003, 43019, 40037, 47003}
DEFER = {45009, 45047}  # api freq out of limit (daily quota), out of response count


def classify(code: int | None) -> ErrorKind:
    if code in PERMANENT:
        return ErrorKind.PERMANENT
    if code in DEFER:
        return ErrorKind.DEFER
    return ErrorKind.RETRY  # -1 busy, 40001/42001 token (refreshed and retried once), …


class _Client(WeChatClient):
    def __init__(self, appid, secret, *, api_base: str, timeout: int) -> None:
        super().__init__(appid, secret, timeout=timeout)
        self.API_BASE_URL = api_base

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret},
        )


class WeChatProvider(Provider):
    name = "wechat"
    channel = "wechat"
    body_max_length = None
    dedupe_seconds = 600
    supports_lookup = False

    def __init__(self, config: dict) -> None:
        self.config = config
        self.variable_max_length = config.get("variable_max_length") or None
        base = config["api_base"]
        self.client = _Client(
            config["app_id"], config["app_secret"],
            api_base=base if base.endswith("/") else base + "/",
            timeout=config.get("timeout", 10),
        )

    def send(self, message: Outgoing) -> str:
        data = {
            "touser": message.to,
            "template_id": message.template_id,
            "client_msg_id": message.key,
            "data": {k: {"value": v} for k, v in message.params.items()},
        }
        try:
            result = self.client.post("message/template/send", data=data)
        except WeChatClientException as exc:
            if exc.errcode is None:
                raise ProviderError(ErrorKind.RETRY, "http_error", str(exc)) from exc
            raise ProviderError(classify(exc.errcode), str(exc.errcode), exc.errmsg or "") \
                from exc
        except requests.RequestException as exc:
            raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
        return str(result["msgid"])

    def verify_push(self, *, query: dict, headers: dict, body: bytes) -> bool:
        try:
            check_signature(
                self.config["token"], query.get("signature", ""), query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException:
            return False
        return True

    def parse_receipts(self, body: bytes, *, query: dict, headers: dict) -> list[Receipt]:
        event = parse_message(body)
        if getattr(event, "event", "") != "templatesendjobfinish":
            return []
        status = str(getattr(event, "status", ""))
        return [Receipt(
            provider_message_id=str(event.id), delivered=status == "success",
            error_code="" if status == "success" else status,
        )]


def build(config: dict) -> WeChatProvider:
    return WeChatProvider(config)
