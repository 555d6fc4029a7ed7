"""The embedded default: one JSON line per message appended to a file (fsync'ed)."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from weiji.messaging.providers.base import Outgoing, Provider


class LogProvider(Provider):
    name = "log"
    channel = "sms"
    variable_max_length = None
    body_max_length = None

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, message: Outgoing) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        provider_id = f"log-{message.key}"
        line = json.dumps(
            {"id": provider_id, "key": message.key, "to": message.to, "body": message.body,
             "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        with open(self.path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return provider_id

    def lookup(self, message: Outgoing, *, since: datetime) -> str | None:
        if not self.path.exists():
            return None
        needle = f'"key": "{message.key}"'
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if needle in line:
                    return json.loads(line)["id"]
        return None


def build(config: dict) -> LogProvider:
    return LogProvider(config["path"])
