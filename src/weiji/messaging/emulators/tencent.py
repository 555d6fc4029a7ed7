"""Tencent Cloud SMS 2021-01-11 emulator: TC3-HMAC-SHA256 checked, SendSms and status pulls."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from weiji.messaging.emulators.base import Emulator


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(secret_key: str, *, method: str, uri: str, query: str, headers: dict,
                  signed_headers: str, payload: bytes, timestamp: str, date: str,
                  service: str) -> str:
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip()}\n"
        for name in signed_headers.split(";")
    )
    canonical = "\n".join([
        method, uri, query, canonical_headers, signed_headers,
        hashlib.sha256(payload).hexdigest(),
    ])
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join([
        "TC3-HMAC-SHA256", timestamp, scope,
        hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    ])
    k = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k = _hmac(k, service)
    k = _hmac(k, "tc3_request")
    return hmac.new(k, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class TencentEmulator(Emulator):
    BLACKLIST_CODE = "FailedOperation.PhoneNumberInBlacklist"
    RATE_CODE = "LimitExceeded.PhoneNumberThirtySecondLimit"
    DAILY_CODE = "LimitExceeded.PhoneNumberDailyLimit"

    def __init__(self, *, secret_id: str = "AKIDemulator", secret_key: str = "emulator-key",
                 sdk_app_id: str = "1400000000") -> None:
        super().__init__()
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.request_limit_next = 0  # whole requests refused with RequestLimitExceeded
        self._reports: list[dict] = []  # receipts not yet pulled
        self._pushed = 0  # receipts already pushed to a callback

    def settings(self) -> dict:
        """Settings for WEIJI_TENCENT_SMS that point the SDK here."""
        return {
            "secret_id": self.secret_id, "secret_key": self.secret_key,
            "region": "ap-guangzhou", "sdk_app_id": self.sdk_app_id,
            "sign_name": "卫计服务", "endpoint": self.host, "scheme": "http",
            "variable_max_length": 12,
        }

    @staticmethod
    def _error(code: str, message: str) -> tuple[int, str, dict]:
        return 200, "application/json", {"Response": {
            "Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}}

    def _verify(self, method, path, raw_query, headers, body) -> str | None:
        auth = headers.get("authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            fields = dict(p.strip().split("=", 1) for p in rest.split(","))
            sid, date, service, terminator = fields["Credential"].split("/")
        except (ValueError, KeyError):
            return "AuthFailure.InvalidAuthorization"
        if algorithm != "TC3-HMAC-SHA256" or terminator != "tc3_request":
            return "AuthFailure.InvalidAuthorization"
        if sid != self.secret_id:
            return "AuthFailure.SecretIdNotFound"
        timestamp = headers.get("x-tc-timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 300:
            return "AuthFailure.SignatureExpire"
        expected = tc3_signature(
            self.secret_key, method=method, uri=path, query=raw_query if method == "GET" else "",
            headers=headers, signed_headers=fields["SignedHeaders"],
            payload=b"" if method == "GET" else body, timestamp=timestamp, date=date,
            service=service,
        )
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            return "AuthFailure.SignatureFailure"
        return None

    def handle(self, method, path, raw_query, query, headers, body):
        action = headers.get("x-tc-action", "")
        with self.lock:
            self.requests[action] += 1
        failure = self._verify(method, path, raw_query, headers, body)
        if failure:
            with self.lock:
                self.signature_failures += 1
            return self._error(failure, "signature check failed / 签名校验失败")
        params = json.loads(body or b"{}")
        if params.get("SmsSdkAppId", self.sdk_app_id) != self.sdk_app_id:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist")
        if action == "SendSms":
            return self._send(params)
        if action == "PullSmsSendStatus":
            with self.lock:
                limit = int(params.get("Limit", 100))
                rows, self._reports = self._reports[:limit], self._reports[limit:]
            return 200, "application/json", {"Response": {
                "PullSmsSendStatusSet": rows, "RequestId": str(uuid.uuid4())}}
        if action == "PullSmsSendStatusByPhoneNumber":
            phone = params.get("PhoneNumber", "")
            begin, end = int(params.get("BeginTime", 0)), int(params.get("EndTime", 2**40))
            with self.lock:
                rows = [self._report(m) for m in self.accepted.values()
                        if m["phone"] == phone and begin <= m["time"] <= end]
            offset, limit = int(params.get("Offset", 0)), int(params.get("Limit", 100))
            return 200, "application/json", {"Response": {
                "PullSmsSendStatusSet": rows[offset:offset + limit],
                "RequestId": str(uuid.uuid4())}}
        return self._error("InvalidAction", f"unknown action {action}")

    def _report(self, m: dict) -> dict:
        ok = m["to"] not in self.undeliverable
        return {
            "UserReceiveTime": time.strftime("%Y-%m-%d %H:%M:%S"), "CountryCode": "86",
            "SubscriberNumber": m["to"], "PhoneNumber": m["phone"], "SerialNo": m["serial"],
            "ReportStatus": "SUCCESS" if ok else "FAIL",
            "Description": "DELIVRD" if ok else "UNDELIV", "SessionContext": m["key"],
        }

    def _send(self, params: dict):
        with self.lock:
            if self.request_limit_next > 0:
                self.request_limit_next -= 1
                return self._error("RequestLimitExceeded", "请求的次数超过了频率限制")
            if not params.get("TemplateId"):
                return self._error("MissingParameter", "TemplateId is required")
            statuses = []
            for phone in params.get("PhoneNumberSet", []):
                to = phone[3:] if phone.startswith("+86") else phone
                code = self._fault_for(to)
                if code:
                    statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0,
                                     "SessionContext": params.get("SessionContext", ""),
                                     "Code": code, "Message": code, "IsoCode": "CN"})
                    continue
                serial = f"2433:{uuid.uuid4().int % 10**20}"
                key = params.get("SessionContext") or serial
                record = {"key": key, "to": to, "phone": phone, "serial": serial,
                          "params": params.get("TemplateParamSet", []),
                          "template": params["TemplateId"], "time": int(time.time())}
                self._accept(key, record)
                self._reports.append(self._report(record))
                statuses.append({"SerialNo": serial, "PhoneNumber": phone, "Fee": 1,
                                 "SessionContext": key, "Code": "Ok",
                                 "Message": "send success", "IsoCode": "CN"})
        self._maybe_delay()
        return 200, "application/json", {"Response": {
            "SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}

    # -- pushes to our callback URLs -------------------------------------------
    def receipt_push_body(self) -> bytes:
        """The status-report push (短信下发状态回调) for everything not pushed before."""
        with self.lock:
            rows = list(self.accepted.values())[self._pushed:]
            self._pushed += len(rows)
        return json.dumps([
            {"user_receive_time": time.strftime("%Y-%m-%d %H:%M:%S"), "nationcode": "86",
             "mobile": m["to"],
             "report_status": "FAIL" if m["to"] in self.undeliverable else "SUCCESS",
             "errmsg": "UNDELIV" if m["to"] in self.undeliverable else "DELIVRD",
             "description": "用户短信送达成功", "sid": m["serial"]}
            for m in rows
        ], ensure_ascii=False).encode("utf-8")

    @staticmethod
    def reply_push_body(phone: str, text: str) -> bytes:
        """The reply push (短信回复回调) of a resident answering ``text``."""
        return json.dumps({"extend": "", "mobile": phone, "nationcode": "86",
                           "sign": "卫计服务", "text": text, "time": int(time.time())},
                          ensure_ascii=False).encode("utf-8")
