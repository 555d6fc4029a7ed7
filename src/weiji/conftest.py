"""Test set-up shared by every app: network limited to 127.0.0.1, database reporting."""

from __future__ import annotations

import os
import socket

import pytest

_real_connect = socket.socket.connect


def _guarded_connect(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in {"127.0.0.1", "::1", "localhost"} and not host.startswith("/"):
        raise OSError(f"tests may only connect to 127.0.0.1, not {host!r}")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


def pytest_report_header(config):
    url = os.environ.get("WEIJI_DATABASE_URL", "")
    return f"weiji database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}"


# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from the test body (live_server runs the app in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WEIJI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright (skipped when not installed)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium):
    """A fresh page with a phone-sized viewport and Chinese locale."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()
