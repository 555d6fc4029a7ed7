"""``weiji generate-lists --as-of D [--snapshot] [--village CODE ...]``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from weiji.orgunits.models import OrgUnit
from weiji.worklists.models import ChangeReason
from weiji.worklists.tasks import servicelist_run


class Command(BaseCommand):
    help = "Regenerate the live service lists as of a date; --snapshot freezes the month's list."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="list date YYYY-MM-DD / 名单日期")
        parser.add_argument("--snapshot", action="store_true",
                            help="keep the list as the month's frozen snapshot (D must be the 1st)")
        parser.add_argument("--village", action="append", default=None,
                            help="only this village code (repeatable) / 仅生成该村")

    def handle(self, *args, as_of: str, snapshot: bool, village: list[str] | None, **opts):
        try:
            day = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"--as-of {as_of!r}：日期格式应为 YYYY-MM-DD / the date must be "
                               "YYYY-MM-DD") from exc
        if snapshot and day.day != 1:
            raise CommandError(f"--snapshot 须使用每月1日（{day:%Y-%m}-01），而不是 {day} / the "
                               "monthly snapshot is taken on the 1st of the month")
        if snapshot and village:
            raise CommandError("--snapshot 只能用于全区生成 / the snapshot is of the whole "
                               "district: leave out --village")
        if village:
            known = set(OrgUnit.objects.filter(code__in=village, level="village")
                        .values_list("code", flat=True))
            unknown = sorted(set(village) - known)
            if unknown:
                raise CommandError(f"未知的村代码 {', '.join(unknown)} / unknown village codes")
        reason = ChangeReason.MONTHLY if snapshot else ChangeReason.RULE
        result = servicelist_run(as_of=day, snapshot=snapshot, villages=village, reason=reason)
        if result is None:
            raise CommandError("另一次名单生成正在进行 / another list generation is running")
        summary = " ".join(f"{k}={v}" for k, v in result.as_dict().items())
        self.stdout.write(f"as_of={day} {summary}" + (" snapshot=yes" if snapshot else ""))
