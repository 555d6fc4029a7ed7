"""weiji load BUNDLE [--report FILE.json] [--errors-xlsx FILE.xlsx]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weiji.records.bundle.database import database_prepare
from weiji.records.services import BundleError, bundle_load, report_errors_xlsx

SHOWN_ERRORS = 20


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "导入数据包（CSV文件夹或.xlsx）/ Load a data bundle (folder of CSV files or .xlsx)"

    def add_arguments(self, parser):
        parser.add_argument("bundle", type=Path, help="bundle folder or .xlsx workbook")
        parser.add_argument("--report", type=Path, help="write the load report as JSON")
        parser.add_argument("--errors-xlsx", type=Path,
                            help="write the rejected rows as an .xlsx workbook")

    def handle(self, *args, bundle: Path, report: Path | None, errors_xlsx: Path | None,
               **options):
        bundle = Path(bundle)
        report = Path(report) if report else None
        errors_xlsx = Path(errors_xlsx) if errors_xlsx else None
        try:
            database_prepare()
            result = bundle_load(source=bundle)
        except BundleError as exc:
            partial = getattr(exc, "report", None)
            if partial is not None:
                for line in partial.summary_lines():
                    self.stdout.write(line)
                if report is not None:
                    partial.write_json(report)
            raise CommandError(f"导入未完成 / load failed: {exc}") from exc
        for name, file_report in result.files.items():
            if not file_report.errors and not file_report.warnings:
                continue
            self.stderr.write(f"[{name}]")
            for warning in file_report.warnings:
                self.stderr.write(f"  {warning}")
            errors = sorted(file_report.errors, key=lambda e: e.row)
            for error in errors[:SHOWN_ERRORS]:
                self.stderr.write(f"  {error.describe()}")
            if len(errors) > SHOWN_ERRORS:
                self.stderr.write(
                    f"  …另有{len(errors) - SHOWN_ERRORS}行被拒绝，见 --report / "
                    f"{len(errors) - SHOWN_ERRORS} more rejected rows, see --report"
                )
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            result.write_json(report)
        if errors_xlsx is not None:
            report_errors_xlsx(result, errors_xlsx)
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.invalid_id_numbers:
            self.stdout.write(
                f"身份证号无效、待更正 {len(result.invalid_id_numbers)} 人 / "
                f"{len(result.invalid_id_numbers)} persons with an invalid ID number to correct"
            )
        self.stdout.write(f"用时 {result.seconds:.1f} 秒 / took {result.seconds:.1f} s")
