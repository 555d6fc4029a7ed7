"""The audit table's append-only triggers, dropped and restored around a database flush."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections


@contextmanager
def audit_triggers_lifted(using: str = "default"):
    """Lift the SQLite DELETE/UPDATE triggers for the body (a whole-database flush).

    PostgreSQL flushes with TRUNCATE, which row triggers do not see, so nothing changes
    there. The triggers are restored even when the body fails.
    """
    from importlib import import_module

    spec = import_module("weiji.core.migrations.0002_audit_append_only")
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for sql in spec.SQLITE_DROP:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in spec.SQLITE_CREATE:
                cursor.execute(sql)
