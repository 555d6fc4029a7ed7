"""weiji generate --persons N --out DIR [--seed S]"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weiji.records.bundle.generate import district_generate


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "生成模拟区县数据包 / Generate a synthetic district as a bundle folder"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="about how many residents")
        parser.add_argument("--out", type=Path, required=True, help="bundle folder to write")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same bundle)")

    def handle(self, *args, persons: int, out: Path, seed: int, **options):
        started = time.monotonic()
        try:
            summary = district_generate(persons=persons, out=out, seed=seed)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{summary.out}: orgunits {summary.orgunits}, facilities {summary.facilities}, "
            f"persons {summary.persons}, events {summary.events} "
            f"({time.monotonic() - started:.1f} s)"
        )
