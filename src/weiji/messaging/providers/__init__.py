"""Providers behind one interface (see ``base``), each in its own folder, chosen in settings."""

from __future__ import annotations

import threading
from importlib import import_module

from django.conf import settings

from weiji.messaging.providers.base import (
    ErrorKind,
    Inbound,
    OutcomeUnknown,
    Outgoing,
    Pending,
    Provider,
    ProviderError,
    RateLimiter,
    Receipt,
)

__all__ = [
    "ErrorKind", "Inbound", "OutcomeUnknown", "Outgoing", "Pending", "Provider",
    "ProviderError", "Receipt", "PROVIDER_NAMES", "get_provider", "provider_for_channel",
    "rate_limiter",
]

PROVIDER_NAMES = ("log", "tencent", "aliyun", "wechat")
_local = threading.local()
_limiters: dict[tuple[str, int], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _config_for(name: str) -> dict:
    if name == "tencent":
        return dict(settings.WEIJI_TENCENT_SMS)
    if name == "aliyun":
        return dict(settings.WEIJI_ALIYUN_SMS)
    if name == "wechat":
        return dict(settings.WEIJI_WECHAT)
    return {"path": settings.WEIJI_MESSAGING_LOG_FILE}


def get_provider(name: str) -> Provider:
    """This thread's provider instance for ``name``, built from the current settings."""
    if name not in PROVIDER_NAMES:
        raise ValueError(
            f"unknown messaging provider {name!r}; use one of {', '.join(PROVIDER_NAMES)} "
            f"/ 未知的消息服务商 {name!r}"
        )
    config = _config_for(name)
    config["timeout"] = settings.WEIJI_MESSAGING_PROVIDER_TIMEOUT
    cache = getattr(_local, "providers", None)
    if cache is None:
        cache = _local.providers = {}
    cache_key = (name, repr(sorted(config.items())))
    provider = cache.get(cache_key)
    if provider is None:
        module = import_module(f"weiji.messaging.providers.{name}.provider")
        provider = cache[cache_key] = module.build(config)
    return provider


def provider_for_channel(channel: str) -> str:
    """The configured provider name for a channel ('' when the channel is off)."""
    if channel == "wechat":
        return settings.WEIJI_WECHAT_PROVIDER
    return settings.WEIJI_SMS_PROVIDER


def rate_limiter(name: str) -> RateLimiter:
    rate = int(settings.WEIJI_MESSAGING_RATE_PER_SECOND.get(name, 0))
    with _limiters_lock:
        limiter = _limiters.get((name, rate))
        if limiter is None:
            limiter = _limiters[(name, rate)] = RateLimiter(rate=rate)
        return limiter
