"""The shared HTTP server of the emulators: a threaded server on 127.0.0.1, fault injection."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def log_message(self, format, *args):  # noqa: A002 - quiet
        return

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        if parts.path == "/_emulator/stats":  # for benchmarks running it in another process
            status, ctype, payload = 200, "application/json", self.server.emulator.stats()
        else:
            status, ctype, payload = self.server.emulator.handle(
                self.command, parts.path, parts.query, query, headers, body
            )
        data = payload if isinstance(payload, bytes) else json.dumps(
            payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _dispatch
    do_POST = _dispatch


class Emulator:
    """Base: start()/stop(), counters and fault injection shared by all providers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: dict[str, dict] = {}  # idempotency key -> the accepted message
        self.accept_counts: Counter[str] = Counter()  # key -> times delivered to a phone
        self.requests: Counter[str] = Counter()  # action -> number of requests
        self.signature_failures = 0
        self.fail_next: list[str] = []  # error codes returned for the next sends
        self.blacklist: set[str] = set()  # numbers/openids refused permanently
        self.undeliverable: set[str] = set()  # accepted, but the receipt says failed
        self.delay_after_accept = 0.0  # seconds to hold the response after accepting
        self.delay_count = 0  # how many sends get that delay (then back to normal)
        self.per_number_daily: int | None = None
        self.rate_limit_next = 0  # the next N sends are refused as too frequent
        self._server: ThreadingHTTPServer | None = None

    # -- server ------------------------------------------------------------------
    def start(self) -> Emulator:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.emulator = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    # -- accounting -------------------------------------------------------------
    def stats(self) -> dict:
        with self.lock:
            return {"distinct": len(self.accepted), "accepted": self.total_accepted,
                    "duplicates": len(self.duplicates), "requests": dict(self.requests),
                    "signature_failures": self.signature_failures}

    @property
    def total_accepted(self) -> int:
        return sum(self.accept_counts.values())

    @property
    def duplicates(self) -> dict[str, int]:
        return {k: n for k, n in self.accept_counts.items() if n > 1}

    def _count_for_number(self, to: str) -> int:
        return sum(1 for m in self.accepted.values() if m["to"] == to)

    def _fault_for(self, to: str) -> str | None:
        """The error code to answer for a send to ``to``, or None to accept it."""
        if self.fail_next:
            return self.fail_next.pop(0)
        if to in self.blacklist:
            return self.BLACKLIST_CODE
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return self.RATE_CODE
        if self.per_number_daily is not None and self._count_for_number(to) >= \
                self.per_number_daily:
            return self.DAILY_CODE
        return None

    def _accept(self, key: str, record: dict) -> None:
        self.accepted[key] = record
        self.accept_counts[key] += 1

    def _maybe_delay(self) -> None:
        with self.lock:
            if self.delay_count <= 0:
                return
            self.delay_count -= 1
            delay = self.delay_after_accept
        time.sleep(delay)

    BLACKLIST_CODE = ""
    RATE_CODE = ""
    DAILY_CODE = ""

    def handle(self, method, path, raw_query, query, headers, body):  # pragma: no cover
        raise RuntimeError("subclasses handle requests")
