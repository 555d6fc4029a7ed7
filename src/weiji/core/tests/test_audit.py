import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from weiji.core import testing as f
from weiji.core.audit import audit_record
from weiji.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_record_fills_object_and_user(rf):
    tree = f.make_tree()
    user = f.make_user(role="district_admin", orgunit=tree.county, username="admin1")
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    entry = audit_record(user=user, action=AuditAction.CREATE, obj=tree.v1, request=request,
                         detail={"k": 1})
    entry.refresh_from_db()
    assert (entry.username, entry.object_type, entry.object_id, entry.ip, entry.detail) == (
        "admin1", "orgunits.orgunit", tree.v1.code, "10.1.2.3", {"k": 1})


def test_unknown_action_is_refused():
    with pytest.raises(ValueError):
        audit_record(user=None, action="sneak")


def test_model_refuses_update_and_delete():
    entry = audit_record(user=None, action=AuditAction.LOGIN_FAILED, detail={"username": "x"})
    assert entry.username == "x"
    entry.detail = {"changed": True}
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_database_rejects_update_and_delete():
    entry = audit_record(user=None, action=AuditAction.LOGIN_FAILED)
    for sql in ("UPDATE core_auditentry SET username = 'evil' WHERE id = %s",
                "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(username="evil")
    assert AuditEntry.objects.get(pk=entry.pk).username == ""


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_triggers():
    audit_record(user=None, action=AuditAction.LOGIN_FAILED)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    entry = audit_record(user=None, action=AuditAction.LOGIN_FAILED)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_trigger_migration_is_reversible():
    from django.db.migrations.executor import MigrationExecutor

    def attempt_update():
        entry = audit_record(user=None, action=AuditAction.LOGIN_FAILED)
        try:
            with transaction.atomic():
                AuditEntry.objects.filter(pk=entry.pk).update(username="changed")
        except DatabaseError:
            return False
        return True

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])
    try:
        assert attempt_update() is True
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([("core", "0002_audit_append_only")])
    assert attempt_update() is False
