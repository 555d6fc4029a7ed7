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
