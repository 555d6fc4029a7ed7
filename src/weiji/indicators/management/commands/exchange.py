"""`weiji exchange --month YYYY-MM --out DIR`: the migrant monthly exchange lists."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from weiji.indicators.exchange import MonthError, exchange_lists, exchange_write, parse_month
from weiji.worklists.facts import district_from_db


class Command(BaseCommand):
    help = "写出流动人口月信息通报三张名单 / write the three migrant exchange lists for a month"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM (the month reported on)")
        parser.add_argument("--out", required=True, help="output folder")

    def handle(self, *args, month: str, out: str, **options):
        try:
            first, last = parse_month(month)
        except MonthError as exc:
            raise CommandError(str(exc)) from None
        lists = exchange_lists(district_from_db(on=last), month_start=first, month_end=last)
        try:
            paths = exchange_write(lists, out)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror} / cannot write {out}: {exc.strerror}") from None
        for path, rows in zip(paths, lists.files().values(), strict=True):
            self.stdout.write(f"{path}: {len(rows)} 行 / rows")
