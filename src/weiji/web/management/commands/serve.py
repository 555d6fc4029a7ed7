"""``weiji serve``: migrate when needed, collect static files, serve with waitress."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from weiji.web.serve import start_background, wsgi_application


def migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Serve Weiji on 127.0.0.1:8000 with waitress / 启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **opts):
        import waitress

        if migrations_pending():
            self.stdout.write("applying migrations / 正在迁移数据库")
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        for dotted in start_background():
            self.stdout.write(f"started {dotted}")
        self.stdout.write(f"serving on http://{opts['host']}:{opts['port']}/")
        waitress.serve(wsgi_application(), host=opts["host"], port=opts["port"],
                       threads=opts["threads"], ident="weiji")
