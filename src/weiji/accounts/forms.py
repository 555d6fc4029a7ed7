"""The login form, with per username+address throttling."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from weiji.accounts.services import login_failure_record, login_is_locked
from weiji.core.audit import AuditAction, audit_record, request_ip


class ThrottledLoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = request_ip(self.request)
        if username and login_is_locked(username=username, ip=ip):
            audit_record(
                user=None, action=AuditAction.LOGIN_FAILED, request=self.request,
                detail={"username": username, "locked": True},
            )
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": max(1, settings.WEIJI_LOGIN_LOCK_SECONDS // 60)},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip=ip)
            raise
