"""Aliyun dysmsapi 2017-05-25 emulator: ACS3-HMAC-SHA256 checked, SendSms, QuerySendDetails."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime
from urllib.parse import parse_qsl, quote

from weiji.messaging.emulators.base import Emulator


def acs3_signature(secret: str, *, method: str, path: str, raw_query: str, headers: dict,
                   signed_headers: str, payload_hash: str) -> str:
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    canonical_query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in pairs)
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers.split(";")
    )
    canonical = "\n".join([
        method, path or "/", canonical_query, canonical_headers, signed_headers, payload_hash,
    ])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class AliyunEmulator(Emulator):
    BLACKLIST_CODE = "isv.BLACK_KEY_CONTROL_LIMIT"
    RATE_CODE = "isv.BUSINESS_LIMIT_CONTROL"
    DAILY_CODE = "isv.DAY_LIMIT_CONTROL"

    def __init__(self, *, access_key_id: str = "LTAIemulator",
                 access_key_secret: str = "emulator-secret") -> None:
        super().__init__()
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.throttle_next = 0  # whole requests refused with Throttling.User (HTTP 400)
        self._pushed = 0

    def settings(self) -> dict:
        return {
            "access_key_id": self.access_key_id, "access_key_secret": self.access_key_secret,
            "sign_name": "卫计服务", "endpoint": self.host, "scheme": "http",
            "variable_max_length": 35,
        }

    @staticmethod
    def _reply(status: int, code: str, message: str, **extra) -> tuple[int, str, dict]:
        return status, "application/json;charset=utf-8", {
            "Code": code, "Message": message, "RequestId": str(uuid.uuid4()), **extra}

    def _verify(self, method, path, raw_query, headers, body) -> str | None:
        auth = headers.get("authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return "IncompleteSignature"
        try:
            fields = dict(p.strip().split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 "):].split(","))
        except ValueError:
            return "IncompleteSignature"
        if fields.get("Credential") != self.access_key_id:
            return "InvalidAccessKeyId.NotFound"
        payload_hash = hashlib.sha256(body).hexdigest()
        if headers.get("x-acs-content-sha256", "") != payload_hash:
            return "SignatureDoesNotMatch"
        stamp = headers.get("x-acs-date", "")
        try:
            at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return "MissingTimestamp"
        if abs((datetime.utcnow() - at).total_seconds()) > 900:
            return "InvalidTimeStamp.Expired"
        expected = acs3_signature(
            self.access_key_secret, method=method, path=path, raw_query=raw_query,
            headers=headers, signed_headers=fields.get("SignedHeaders", ""),
            payload_hash=payload_hash,
        )
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            return "SignatureDoesNotMatch"
        return None

    def handle(self, method, path, raw_query, query, headers, body):
        action = headers.get("x-acs-action", "")
        with self.lock:
            self.requests[action] += 1
        failure = self._verify(method, path, raw_query, headers, body)
        if failure:
            with self.lock:
                self.signature_failures += 1
            return self._reply(400 if failure != "InvalidAccessKeyId.NotFound" else 404,
                               failure, "Specified signature is not matched with our calculation.")
        params = {**query, **dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))}
        if action == "SendSms":
            return self._send(params)
        if action == "QuerySendDetails":
            return self._details(params)
        return self._reply(404, "InvalidAction.NotFound", f"unknown action {action}")

    def _send(self, params: dict):
        with self.lock:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return self._reply(400, "Throttling.User", "Request was denied due to user flow control.")
            for name in ("PhoneNumbers", "SignName", "TemplateCode"):
                if not params.get(name):
                    return self._reply(400, "MissingParameter", f"{name} is mandatory")
            to = params["PhoneNumbers"]
            code = self._fault_for(to)
            if code:
                return self._reply(200, code, code)
            biz_id = f"{uuid.uuid4().int % 10**15}^0"
            key = params.get("OutId") or biz_id
            self._accept(key, {
                "key": key, "to": to, "biz_id": biz_id, "template": params["TemplateCode"],
                "params": json.loads(params.get("TemplateParam") or "{}"),
                "day": time.strftime("%Y%m%d"), "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            })
        self._maybe_delay()
        return self._reply(200, "OK", "OK", BizId=biz_id)

    def _details(self, params: dict):
        phone, day = params.get("PhoneNumber", ""), params.get("SendDate", "")
        size, page = int(params.get("PageSize", 10)), int(params.get("CurrentPage", 1))
        with self.lock:
            rows = [m for m in self.accepted.values() if m["to"] == phone and m["day"] == day
                    and (not params.get("BizId") or m["biz_id"] == params["BizId"])]
        dtos = [{
            "PhoneNum": m["to"], "SendStatus": 2 if m["to"] in self.undeliverable else 3,
            "ErrCode": "UNDELIV" if m["to"] in self.undeliverable else "DELIVERED",
            "TemplateCode": m["template"], "Content": "", "SendDate": m["time"],
            "ReceiveDate": m["time"], "OutId": m["key"],
        } for m in rows[(page - 1) * size: page * size]]
        return self._reply(200, "OK", "OK", TotalCount=len(rows),
                           SmsSendDetailDTOs={"SmsSendDetailDTO": dtos})

    def receipt_push_body(self) -> bytes:
        """The HTTP batch push of status reports (SmsReport) not pushed before."""
        with self.lock:
            rows = list(self.accepted.values())[self._pushed:]
            self._pushed += len(rows)
        return json.dumps([{
            "phone_number": m["to"], "send_time": m["time"], "report_time": m["time"],
            "success": m["to"] not in self.undeliverable,
            "err_code": "UNDELIV" if m["to"] in self.undeliverable else "DELIVERED",
            "err_msg": "用户接收成功", "sms_size": "1", "biz_id": m["biz_id"], "out_id": m["key"],
        } for m in rows], ensure_ascii=False).encode("utf-8")

    @staticmethod
    def reply_push_body(phone: str, text: str) -> bytes:
        """The HTTP batch push of an upstream message (SmsUp)."""
        return json.dumps([{
            "phone_number": phone, "send_time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "content": text, "sign_name": "卫计服务", "dest_code": "1234", "sequence_id": 1,
        }], ensure_ascii=False).encode("utf-8")
