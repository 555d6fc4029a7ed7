"""`weiji exchange-deliver --month YYYY-MM`: put a month's migrant lists into the inboxes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from weiji.campaigns.exchange import exchange_deliver
from weiji.indicators.exchange import MonthError, parse_month


class Command(BaseCommand):
    help = "生成并下发流动人口月信息通报到各镇卫生院 / deliver the migrant lists to the inboxes"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM (the month reported on)")

    def handle(self, *args, month: str, **options):
        try:
            first, _last = parse_month(month)
        except MonthError as exc:
            raise CommandError(str(exc)) from None
        for notice in exchange_deliver(month=first):
            counts = ", ".join(f"{k} {v}" for k, v in notice.counts.items())
            self.stdout.write(f"{notice.town_id} → {notice.facility_id or '-'}: {counts}; "
                              f"截止 / deadline {notice.deadline:%Y-%m-%d}")
