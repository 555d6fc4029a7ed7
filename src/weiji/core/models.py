"""Shared infrastructure: the append-only audit log."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    EXPORT = "export", "导出"
    VIEW_FULL = "view_full", "查看完整个人信息"
    IMPORT = "import", "导入"


class AppendOnlyModel(models.Model):
    """Rows are only ever inserted: saving an existing row or deleting one is refused.

    Subclasses name what they hold in ``append_only_what`` (Chinese / English) for the error.
    """

    append_only_what = "这些记录只能追加 / these rows are append-only"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(self.append_only_what)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(self.append_only_what)


class AuditEntry(AppendOnlyModel):
    """Who did what, when, from where. Rows are only ever inserted (see core.audit)."""

    append_only_what = "audit entries are append-only / 审计日志只能追加"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False,
    )
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True, default="")
    object_id = models.CharField(max_length=60, blank=True, default="", db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

