"""`weiji campaign-report CAMPAIGN.yaml --out FILE.csv`: the campaign's acceptance (检查验收)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from weiji.campaigns.definition import DefinitionError, definition_load
from weiji.campaigns.exports import report_csv
from weiji.campaigns.selectors import campaign_report_results


class Command(BaseCommand):
    help = "按村输出集中服务活动验收结果 / write the campaign's per-village acceptance report"

    def add_arguments(self, parser):
        parser.add_argument("definition", help="campaign definition (.yaml)")
        parser.add_argument("--out", required=True, help="output CSV file")

    def handle(self, *args, definition: str, out: str, **options):
        try:
            defn = definition_load(definition)
        except DefinitionError as exc:
            raise CommandError(str(exc)) from None
        results = campaign_report_results(defn)
        text = report_csv(results)
        try:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror} / cannot write {out}: {exc.strerror}") from None
        passed = sum(1 for r in results if r.passed)
        judged = sum(1 for r in results if r.targets)
        self.stdout.write(f"{out}: {len(results)} 个村 / villages, {passed}/{judged} 达标 / passed")
