"""weiji reconcile SOURCE FILE [--out DIR]: import a source's export, compare, write the lists."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weiji.core.audit import AuditAction, audit_record
from weiji.reconcile import services
from weiji.reconcile.exports import lists_write
from weiji.reconcile.models import Kind, Source, SourceType
from weiji.reconcile.selectors import discrepancy_export_rows


class Command(BaseCommand):
    help = "比对一个外部来源与人口库并输出差异清单 / compare a source's export with the register and write the discrepancy lists"

    def add_arguments(self, parser):
        parser.add_argument("source", help="来源代码 / source code")
        parser.add_argument("file", help="CSV 或 .xlsx 文件 / CSV or .xlsx file")
        parser.add_argument("--out", help="清单输出目录 / folder for the lists (CSV + .xlsx)")
        parser.add_argument("--type", choices=SourceType.values,
                            help="来源不存在时以此类型新建 / create the source with this type if it does not exist")
        parser.add_argument("--name", default="", help="新建来源的名称 / name of a new source")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path} / no such file: {path}")
        source = Source.objects.filter(code=opts["source"]).first()
        try:
            if source is None:
                if not opts["type"]:
                    raise CommandError(
                        f"来源“{opts['source']}”不存在，请用 --type 指定类型以新建 / source {opts['source']!r} "
                        f"does not exist; give --type ({', '.join(SourceType.values)}) to create it"
                    )
                source = services.source_create(code=opts["source"], name=opts["name"] or opts["source"],
                                                type=opts["type"], user=None)
            t0 = time.monotonic()
            snapshot = services.snapshot_import(source=source, path=path, user=None)
            t1 = time.monotonic()
            run = services.reconcile_run(source=source, user=None)
            t2 = time.monotonic()
        except (services.SourceError, services.ImportError_) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path.name}: 读取 read {snapshot.read}，导入 loaded {snapshot.loaded}，拒绝 rejected {snapshot.rejected}")
        for err in snapshot.errors[:20]:
            self.stdout.write(f"  第{err['row']}行 row {err['row']} [{err['column']}] {err['reason_zh']} / {err['reason_en']}")
        links = run.counts.get("links", {})
        self.stdout.write("匹配 links: " + "，".join(f"{k} {v}" for k, v in sorted(links.items())))
        items = run.counts.get("items", {})
        for kind, label in Kind.choices:
            self.stdout.write(f"  {label} {kind}: {items.get(kind, 0)}")
        self.stdout.write(f"导入 import {t1 - t0:.1f}s，比对 compare {t2 - t1:.1f}s")
        if opts["out"]:
            rows = discrepancy_export_rows(source=source)
            paths = lists_write(rows, Path(opts["out"]), stem=source.code)
            audit_record(user=None, action=AuditAction.EXPORT, obj=run,
                         detail={"out": str(opts["out"]), "files": [p.name for p in paths]})
            self.stdout.write(f"清单已写入 lists written to {opts['out']} ({len(paths)} files)")
