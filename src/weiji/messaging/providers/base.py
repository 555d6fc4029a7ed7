"""The one interface every provider implements, and the errors they raise.

A provider turns an :class:`Outgoing` message into a provider message id, or raises
:class:`ProviderError` (the provider answered and refused: classified by what to do next)
or :class:`OutcomeUnknown` (timeout, dropped connection: the message may have gone out;
the outbox checks with :meth:`Provider.lookup` by idempotency key before sending again).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ErrorKind(StrEnum):
    RETRY = "retry"  # transient: try again in a few minutes
    DEFER = "defer"  # a daily limit or quota: not again today
    PERMANENT = "permanent"  # blacklist, refusal, bad number: never


def classify_code(code: str, *, permanent: frozenset[str] | set[str],
                  defer: frozenset[str] | set[str]) -> ErrorKind:
    """A provider's error code: never again, not today, or retry later (the default)."""
    if code in permanent:
        return ErrorKind.PERMANENT
    if code in defer:
        return ErrorKind.DEFER
    return ErrorKind.RETRY


class ProviderError(Exception):
    def __init__(self, kind: ErrorKind, code: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {code} {detail}".strip())
        self.kind = ErrorKind(kind)
        self.code = str(code)[:80]
        self.detail = str(detail)[:300]


class OutcomeUnknown(Exception):
    """The request may or may not have reached the provider."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    key: str  # idempotency key (Message.key), sent to the provider where it accepts one
    to: str  # mobile number (11 digits) or WeChat openid
    body: str  # the rendered text (what the log provider writes)
    params: dict[str, str]  # variables in the order they appear in the template
    template_id: str = ""  # the provider's template id/code


@dataclass(frozen=True, slots=True)
class Receipt:
    provider_message_id: str = ""
    key: str = ""
    delivered: bool = True
    error_code: str = ""
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    phone: str
    text: str


@dataclass(frozen=True, slots=True)
class Pending:
    """A sent message waiting for its receipt (what polling asks about)."""

    key: str
    to: str
    provider_message_id: str
    sent_at: datetime


class Provider:
    name = ""
    channel = "sms"
    # Longest value of one template variable the provider accepts (None: no limit).
    variable_max_length: int | None = None
    # Longest whole message (signature included) for SMS providers.
    body_max_length: int | None = 500
    # How long the provider itself de-duplicates re-sends with the same key (seconds);
    # 0 when it does not and a resend must be preceded by a successful lookup.
    dedupe_seconds = 0
    supports_lookup = True

    def send(self, message: Outgoing) -> str:
        """Send and return the provider's message id."""
        raise ProviderError(ErrorKind.PERMANENT, "weiji:no_send", f"{self.name} cannot send")

    def lookup(self, message: Outgoing, *, since: datetime) -> str | None:
        """The provider id of an earlier send of this key, or None if it never arrived."""
        return None

    def poll_receipts(self, pending: list[Pending]) -> list[Receipt]:
        return []

    def parse_receipts(self, body: bytes, *, query: dict, headers: dict) -> list[Receipt]:
        return []

    def parse_inbound(self, body: bytes, *, query: dict, headers: dict) -> list[Inbound]:
        return []

    def verify_push(self, *, query: dict, headers: dict, body: bytes) -> bool:
        """Whether a pushed callback really comes from the provider (beyond the URL token)."""
        return True


@dataclass
class RateLimiter:
    """A token bucket shared by the threads of one process (rate 0 = unlimited)."""

    rate: float
    burst: float = 0.0
    _tokens: float = 0.0
    _at: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.burst = self.burst or max(1.0, self.rate)
        self._tokens = self.burst

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)
