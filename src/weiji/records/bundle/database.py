"""Making sure the database named by WEIJI_DATABASE_URL exists and is migrated."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from weiji.records.bundle.report import BundleError


def _postgres_create_if_missing(settings_dict: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or "5432",
        "user": settings_dict.get("USER") or "postgres",
        "password": settings_dict.get("PASSWORD") or None,
    }
    name = settings_dict["NAME"]
    try:
        psycopg.connect(dbname=name, connect_timeout=10, **params).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BundleError(
                f"无法连接数据库 {name}：{exc} / cannot connect to the database {name}: {exc}"
            ) from exc
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=10,
                             **params) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise BundleError(
            f"无法创建数据库 {name}：{exc} / cannot create the database {name}: {exc}"
        ) from exc


def database_prepare(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Create the database when missing and apply pending migrations, quietly.

    Returns whether migrations were applied.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        _postgres_create_if_missing(connection.settings_dict)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database
        raise BundleError(
            f"无法打开数据库：{exc} / cannot open the database: {exc}"
        ) from exc
    if not pending:
        return False
    call_command("migrate", database=using, interactive=False, verbosity=0, stdout=StringIO())
    return True
