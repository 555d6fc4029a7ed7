"""WeChat official-account emulator: access_token flow, template send, event pushes."""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from weiji.messaging.emulators.base import Emulator


class WeChatEmulator(Emulator):
    BLACKLIST_CODE = "43101"
    RATE_CODE = "45009"
    DAILY_CODE = "45009"

    def __init__(self, *, app_id: str = "wxemulator", app_secret: str = "emulator-secret",
                 token: str = "emulator-token") -> None:
        super().__init__()
        self.app_id, self.app_secret, self.token = app_id, app_secret, token
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self._msgid = 1000
        self._by_client_id: dict[tuple[str, str], tuple[int, float]] = {}
        self._pushed = 0

    def settings(self) -> dict:
        return {"app_id": self.app_id, "app_secret": self.app_secret, "token": self.token,
                "api_base": f"http://{self.host}/cgi-bin/", "variable_max_length": 20}

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def handle(self, method, path, raw_query, query, headers, body):
        ok = "application/json; encoding=utf-8"
        if path == "/cgi-bin/token":
            with self.lock:
                self.requests["token"] += 1
                if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
                    self.signature_failures += 1
                    return 200, ok, {"errcode": 40125, "errmsg": "invalid appsecret"}
                token = secrets.token_urlsafe(24)
                self.tokens.add(token)
                self.tokens_issued += 1
            return 200, ok, {"access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/message/template/send":
            return self._send(query, body)
        return 404, ok, {"errcode": 404, "errmsg": "not found"}

    def _send(self, query, body):
        ok = "application/json; encoding=utf-8"
        with self.lock:
            self.requests["template_send"] += 1
            if query.get("access_token") not in self.tokens:
                return 200, ok, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            data = json.loads(body or b"{}")
            to, client_id = data.get("touser", ""), data.get("client_msg_id", "")
            if not to or not data.get("template_id"):
                return 200, ok, {"errcode": 47001, "errmsg": "data format error"}
            seen = self._by_client_id.get((to, client_id)) if client_id else None
            if seen and time.time() - seen[1] < 600:  # WeChat's 10-minute de-duplication
                return 200, ok, {"errcode": 0, "errmsg": "ok", "msgid": seen[0]}
            code = self._fault_for(to)
            if code:
                return 200, ok, {"errcode": int(code), "errmsg": "refused"}
            self._msgid += 1
            key = client_id or str(self._msgid)
            self._accept(key, {"key": key, "to": to, "msgid": self._msgid,
                               "template": data["template_id"], "params": data.get("data", {})})
            if client_id:
                self._by_client_id[(to, client_id)] = (self._msgid, time.time())
            msgid = self._msgid
        self._maybe_delay()
        return 200, ok, {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def sign(self, timestamp: str, nonce: str) -> str:
        return hashlib.sha1("".join(sorted([self.token, timestamp, nonce])).encode()).hexdigest()

    def receipt_pushes(self) -> list[tuple[dict, bytes]]:
        """(query, XML body) of TEMPLATESENDJOBFINISH events not pushed before."""
        with self.lock:
            rows = list(self.accepted.values())[self._pushed:]
            self._pushed += len(rows)
        pushes = []
        for m in rows:
            timestamp, nonce = str(int(time.time())), secrets.token_hex(4)
            status = "failed:user block" if m["to"] in self.undeliverable else "success"
            xml = (f"<xml><ToUserName><![CDATA[gh_emulator]]></ToUserName>"
                   f"<FromUserName><![CDATA[{m['to']}]]></FromUserName>"
                   f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                   f"<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{m['msgid']}</MsgID>"
                   f"<Status><![CDATA[{status}]]></Status></xml>")
            pushes.append(({"signature": self.sign(timestamp, nonce), "timestamp": timestamp,
                            "nonce": nonce}, xml.encode("utf-8")))
        return pushes
