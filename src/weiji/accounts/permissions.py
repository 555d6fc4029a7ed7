"""Role checks for views (scope checks are in ``weiji.accounts.scope``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from weiji.accounts.models import Role


def has_role(user, *roles: str) -> bool:
    """Whether the (authenticated) user has one of ``roles``; superusers always do."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in roles


def require_role(user, *roles: str) -> None:
    """Raise 403 unless the user has one of ``roles`` (superusers always pass)."""
    if not has_role(user, *roles):
        allowed = "、".join(Role(r).label for r in roles)
        raise PermissionDenied(f"此页面仅限{allowed} / this page is restricted")
