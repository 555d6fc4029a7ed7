"""Fault tests with real processes: a worker killed with SIGKILL between the provider call
and the commit, and the database unavailable for a while. The Tencent emulator counts
what it accepted: every message exactly once."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from weiji.messaging.emulators import TencentEmulator
from weiji.messaging.tests.procs import (
    PrivateDatabase,
    TcpProxy,
    child_env,
    driver,
    driver_start,
    report,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
N = 20


@pytest.fixture
def emulator():
    with TencentEmulator() as emu:
        yield emu


@pytest.fixture
def private_db(tmp_path):
    db = PrivateDatabase(tmp_path)
    yield db
    db.drop()


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()
            proc.wait()


def test_worker_killed_between_send_and_commit(tmp_path, emulator, private_db):
    env = child_env(tmp_path, private_db.url(), emulator.settings())
    driver(env, "setup", str(N))
    # The emulator accepts messages but holds its answers: the worker is inside the
    # provider call, its messages committed as "sending", when it is killed.
    emulator.delay_after_accept, emulator.delay_count = 60, 10**6
    proc = driver_start(env, "worker", log=tmp_path / "worker1.log")
    wait_for(lambda: emulator.total_accepted >= 4, timeout=60, what="4 accepted sends")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = report(env)
    assert state["status"].get("sending", 0) >= 4 and "sent" not in state["status"]
    accepted_at_kill = emulator.total_accepted
    emulator.delay_count = 0
    proc = driver_start(env, "worker", log=tmp_path / "worker2.log")
    try:
        state = wait_for(
            lambda: (r := report(env))["status"].get("sent") == N and r,
            timeout=90, what="every message sent", interval=0.5)
    finally:
        _stop(proc)
    assert state["found"] == accepted_at_kill  # recovered by key, not re-sent
    assert state["resent"] == N - accepted_at_kill
    assert len(emulator.accepted) == N and emulator.total_accepted == N
    assert not emulator.duplicates


def test_database_unavailable_for_a_while(tmp_path, emulator, private_db):
    proxy = None
    if private_db.is_pg:
        db = private_db.db
        proxy = TcpProxy((db["HOST"], int(db["PORT"])))
        env = child_env(tmp_path, private_db.url(port=proxy.port), emulator.settings())
    else:
        env = child_env(tmp_path, private_db.url(), emulator.settings())
    driver(env, "setup", str(N))
    emulator.delay_after_accept, emulator.delay_count = 1.5, 10**6
    proc = driver_start(env, "worker", "--db-timeout", "1", log=tmp_path / "worker.log")
    lock = None
    try:
        wait_for(lambda: emulator.total_accepted >= 1, timeout=60, what="a first send")
        # The database goes away while answers are on their way back.
        if proxy:
            proxy.cut()
        else:
            lock = sqlite3.connect(private_db.path, timeout=10, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
        # Every answer arrives while it is gone: no send can be committed.
        wait_for(lambda: emulator.total_accepted >= N, timeout=60, what="all sends")
        time.sleep(3)
        emulator.delay_count = 0
        if proxy:
            proxy.restore()
        else:
            lock.execute("COMMIT")
            lock.close()
        state = wait_for(
            lambda: (r := report(env))["status"].get("sent") == N and r,
            timeout=90, what="every message sent", interval=0.5)
    finally:
        _stop(proc)
        if proxy:
            proxy.close()
    assert state["found"] >= 1  # sends whose commit was lost were found by key
    assert len(emulator.accepted) == N and emulator.total_accepted == N
    assert not emulator.duplicates
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "locked" in log or "connection" in log.lower() or "server closed" in log
