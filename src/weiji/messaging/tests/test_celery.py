"""Reminders on Celery + Redis: a real worker (with beat) against Redis at 127.0.0.1:6379."""

from __future__ import annotations

import signal
import socket
import uuid

import pytest
from celery import Celery

from weiji.messaging.emulators import TencentEmulator
from weiji.messaging.tests.procs import (
    PrivateDatabase,
    child_env,
    driver,
    driver_start,
    report,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
REDIS_URL = "redis://127.0.0.1:6379/13"
N = 30


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def private_db(tmp_path):
    db = PrivateDatabase(tmp_path)
    yield db
    db.drop()


def test_celery_worker_sends_every_reminder_once(tmp_path, private_db):
    if not _redis_up():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379 / Redis 不可用")
    from weiji.config.celery_app import app as weiji_app

    assert set(weiji_app.conf.beat_schedule) >= {
        "messaging.plan", "messaging.send", "messaging.receipts"}
    queue = f"weiji-test-{uuid.uuid4().hex[:8]}"
    with TencentEmulator() as emu:
        env = child_env(tmp_path, private_db.url(), emu.settings(),
                        WEIJI_REDIS_URL=REDIS_URL, WEIJI_CELERY_QUEUE=queue,
                        WEIJI_MESSAGING_BATCH="7")
        driver(env, "setup", str(N))
        proc = driver_start(env, "worker", "--celery", log=tmp_path / "celery.log")
        client = Celery(broker=REDIS_URL)
        try:
            # What beat does every 20 seconds, now: the send job fans out thin tasks of ids.
            client.send_task("weiji.periodic_job", args=["messaging.send"], queue=queue)
            client.send_task("weiji.periodic_job", args=["messaging.send"], queue=queue)
            state = wait_for(lambda: (r := report(env))["status"].get("sent") == N and r,
                             timeout=90, what="every reminder sent", interval=0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except Exception:
                proc.kill()
                proc.wait()
        assert state["status"] == {"sent": N}
        assert len(emu.accepted) == N and emu.total_accepted == N and not emu.duplicates
    log = (tmp_path / "celery.log").read_text(errors="replace")
    assert "weiji.messaging.send_messages" in log
