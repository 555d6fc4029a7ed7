"""`weiji indicators --from YYYY-MM --to YYYY-MM --out FILE.csv|.xlsx` (indicators.md)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weiji.indicators.output import COLUMNS
from weiji.indicators.selectors import active_indicators, report_unit_codes, rows_from_cache
from weiji.indicators.services import indicator_periods_refresh
from weiji.rules.dates import month_end

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str, option: str) -> date:
    m = MONTH_RE.match(value.strip())
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise CommandError(f"{option} 应为 YYYY-MM 格式 / {option} must be YYYY-MM, got {value!r}")
    return date(int(m.group(1)), int(m.group(2)), 1)


class Command(BaseCommand):
    help = "计算指标 / compute the indicators for every village, town and the county"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_month", required=True, help="YYYY-MM")
        parser.add_argument("--to", dest="to_month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
        parser.add_argument("--zones", action="store_true", help="也输出管区行 / add zone rows")
        parser.add_argument("--recompute", action="store_true",
                            help="忽略缓存重新计算 / ignore the cache")

    def handle(self, *args, **opts):
        p1 = parse_month(opts["from_month"], "--from")
        p2 = month_end(parse_month(opts["to_month"], "--to"))
        if p1 > p2:
            raise CommandError(f"--from 晚于 --to / --from {opts['from_month']} is after --to")
        out = Path(opts["out"])
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(f"--out 须为 .csv 或 .xlsx / --out must end in .csv or .xlsx: {out}")
        indicators = active_indicators()
        period = indicator_periods_refresh(
            periods=[(p1, p2)], indicators=indicators, force=opts["recompute"]
        )[(p1, p2)]
        rows = rows_from_cache(period, indicators, units=report_unit_codes(zones=opts["zones"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            with out.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(COLUMNS)
                writer.writerows(row.as_csv() for row in rows)
        else:
            from weiji.indicators.exports import indicators_xlsx

            out.write_bytes(indicators_xlsx(rows, {i.code: i.name_zh for i in indicators}))
        self.stdout.write(f"{len(rows)} rows -> {out}")
