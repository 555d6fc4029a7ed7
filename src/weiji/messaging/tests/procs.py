"""Helpers for tests that run Weiji in child processes against a private database."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings


def _pg_admin(db: dict):
    import psycopg

    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)


class PrivateDatabase:
    """A database of its own for child processes: a SQLite file, or a new PostgreSQL DB."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = settings.DATABASES["default"]
        self.is_pg = self.db["ENGINE"].endswith("postgresql")
        if self.is_pg:
            self.name = f"weiji_msgfault_{uuid.uuid4().hex[:10]}"
            with _pg_admin(self.db) as con:
                con.execute(f'CREATE DATABASE "{self.name}"')
            self.path = None
        else:
            self.path = tmp_path / "fault.sqlite3"
            self.name = str(self.path)

    def url(self, *, port: int | None = None) -> str:
        if not self.is_pg:
            return f"sqlite:///{self.path}"
        return (f"postgresql://{self.db['USER']}@{self.db['HOST']}:{port or self.db['PORT']}/"
                f"{self.name}")

    def drop(self) -> None:
        if self.is_pg:
            with _pg_admin(self.db) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def child_env(tmp_path: Path, db_url: str, emulator_settings: dict, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEIJI_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "weiji.config.settings",
        "WEIJI_DATABASE_URL": db_url, "WEIJI_VAR_DIR": str(tmp_path / "var"),
        "WEIJI_SECRET_KEY": "fault-test-secret", "WEIJI_SMS_PROVIDER": "tencent",
        "WEIJI_TENCENT_SECRET_ID": emulator_settings["secret_id"],
        "WEIJI_TENCENT_SECRET_KEY": emulator_settings["secret_key"],
        "WEIJI_TENCENT_SMS_SDK_APP_ID": emulator_settings["sdk_app_id"],
        "WEIJI_TENCENT_SMS_SIGN_NAME": emulator_settings["sign_name"],
        "WEIJI_TENCENT_SMS_ENDPOINT": emulator_settings["endpoint"],
        "WEIJI_TENCENT_SMS_SCHEME": "http",
        "WEIJI_MESSAGING_QUIET_HOURS": "00:00-00:00", "WEIJI_MESSAGING_SEND_AT": "00:00",
        "WEIJI_MESSAGING_SENDING_LEASE_SECONDS": "2", "WEIJI_MESSAGING_THREADS": "4",
        "WEIJI_MESSAGING_PROVIDER_TIMEOUT": "30",
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    env.update(extra)
    return env


def driver(env: dict, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "weiji.messaging.tests.fault_driver", *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"driver {args} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def driver_start(env: dict, *args: str, log: Path) -> subprocess.Popen:
    fh = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "weiji.messaging.tests.fault_driver", *args],
        env=env, stdout=fh, stderr=subprocess.STDOUT,
    )


def report(env: dict) -> dict:
    return json.loads(driver(env, "report").strip().splitlines()[-1])


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class TcpProxy:
    """127.0.0.1 TCP forwarder that can drop every connection and refuse new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.down = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self.down.is_set():
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()

    def cut(self) -> None:
        self.down.set()
        with self._lock:
            for s in self._socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._socks.clear()

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()
