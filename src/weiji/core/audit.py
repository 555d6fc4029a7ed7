"""Writing the append-only audit log.

Every change of personal data, every read of a full record (``view_full``), every export,
import, login, failed login and logout goes through :func:`audit_record`. Rows are never
updated or deleted: ``AuditEntry.save`` refuses updates and database triggers (migration
``core.0002``) reject UPDATE and DELETE on the table for SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from weiji.core.models import AuditAction, AuditEntry

__all__ = ["AuditAction", "audit_record", "request_ip"]


def request_ip(request) -> str:
    """The client address of a request ('' without a request)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def audit_record(
    *,
    user,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    ``obj`` fills ``object_type`` (``app_label.model``) and ``object_id`` (its primary key)
    unless they are given. ``user`` may be an anonymous user or ``None`` (system actions);
    ``detail`` must be JSON-serialisable.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r} / 未知的审计操作")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if authenticated:
        username = user.get_username()
    else:  # failed logins: the name that was tried
        username = str((detail or {}).get("username", ""))
    return AuditEntry.objects.create(
        user=user if authenticated else None,
        username=username[:150],
        action=action,
        object_type=str(object_type)[:60],
        object_id=str(object_id)[:60],
        detail=detail or {},
        ip=request_ip(request),
    )
