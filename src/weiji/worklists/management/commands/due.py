"""`weiji due --as-of YYYY-MM-DD --out FILE.csv [--village CODE]`: the monthly service list.

Columns, order and sorting as service-catalogue.md "Output of weiji due"; CSV with minimal
quoting (an empty value as nothing), or an .xlsx workbook with the same columns when the
file name ends so.
"""

from __future__ import annotations

import csv
import os
import re
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.rules.evaluate import sort_items
from weiji.rules.facts import DueItem
from weiji.worklists.catalogue import catalogue_current
from weiji.worklists.facts import due_items_from_db, due_items_parallel

COLUMNS = (
    "as_of", "village_code", "person_local_id", "id_number", "service", "due_from",
    "due_until", "status", "responsible",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_as_of(text: str) -> date:
    text = text.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--as-of 日期无效：{text!r}，请写成 YYYY-MM-DD（如 2026-03-01） / "
            f"--as-of is not a valid date: {text!r}; write it as YYYY-MM-DD (e.g. 2026-03-01)"
        ) from None


def item_row(item: DueItem) -> list[str]:
    return [
        item.as_of.isoformat(), item.village_code, item.person_local_id, item.id_number,
        item.service, item.due_from.isoformat(), item.due_until.isoformat(), item.status,
        item.responsible,
    ]


def write_csv(items: Iterable[DueItem], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(COLUMNS)
        for item in items:
            writer.writerow(item_row(item))
            n += 1
    return n


def write_xlsx(items: Iterable[DueItem], path: Path) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("due")
    sheet.append(list(COLUMNS))
    n = 0
    for item in items:
        sheet.append(item_row(item))
        n += 1
    workbook.save(path)
    return n


class Command(BaseCommand):
    help = "写出某日的服务名单 / write the service list (who is due for what) as of a date"
    requires_system_checks: list[str] = []  # a batch export: the web layer is not involved

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD, normally a month's first day")
        parser.add_argument("--out", required=True, help="output file (.csv or .xlsx)")
        parser.add_argument("--village", action="append", default=None,
                            help="only this village's list (may be repeated)")
        parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                            help="processes for a whole-district run (default: 2 on 2+ CPUs)")

    def handle(self, *args, as_of: str, out: str, village: list[str] | None, workers: int,
               **options):
        day = parse_as_of(as_of)
        villages = None
        if village:
            villages = {v.strip() for v in village}
            known = set(OrgUnit.objects.filter(code__in=villages, level=OrgUnitLevel.VILLAGE)
                        .values_list("code", flat=True))
            unknown = sorted(villages - known)
            if unknown:
                raise CommandError(
                    f"--village {unknown[0]} 不是已导入的村/社区代码 / "
                    f"--village {unknown[0]} is not the code of a loaded village"
                )
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent} / no such folder: {path.parent}")
        started = time.monotonic()
        catalogue = catalogue_current()
        if villages is None:
            found = due_items_parallel(as_of=day, catalogue=catalogue.catalogue, workers=workers)
        else:
            found = due_items_from_db(as_of=day, villages=villages, catalogue=catalogue.catalogue)
        items = sort_items(found)
        try:
            if path.suffix.lower() == ".xlsx":
                n = write_xlsx(items, path)
            else:
                n = write_csv(items, path)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror} / cannot write {path}: {exc.strerror}") from None
        self.stdout.write(
            f"{path}: {n} 行 / rows, as of {day.isoformat()}, catalogue version "
            f"{catalogue.version} ({time.monotonic() - started:.1f} s)"
        )
