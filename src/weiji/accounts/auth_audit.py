"""Audit entries for auth events (login, logout, failed login), from Django's auth signals."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from weiji.accounts.services import login_failures_clear
from weiji.core.audit import AuditAction, audit_record, request_ip


@receiver(user_logged_in, dispatch_uid="weiji_audit_login")
def _on_login(sender, request, user, **kwargs):
    login_failures_clear(username=user.get_username(), ip=request_ip(request))
    audit_record(user=user, action=AuditAction.LOGIN, request=request)


@receiver(user_logged_out, dispatch_uid="weiji_audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(user=user, action=AuditAction.LOGOUT, request=request)


@receiver(user_login_failed, dispatch_uid="weiji_audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        user=None, action=AuditAction.LOGIN_FAILED, request=request,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
