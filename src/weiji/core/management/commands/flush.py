"""Django's ``flush`` (remove all data), with the audit table's SQLite triggers lifted.

Test cases that use whole-database flushes (``TransactionTestCase``, ``live_server``) call
it between tests; without this the append-only triggers would reject the DELETE.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as FlushCommand

from weiji.core.db_triggers import audit_triggers_lifted


class Command(FlushCommand):
    def handle(self, **options):
        with audit_triggers_lifted(options["database"]):
            return super().handle(**options)
