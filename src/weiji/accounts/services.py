"""Account writes: creating users and login throttling."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from weiji.accounts.models import LoginFailure, Role, User
from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import Facility, OrgUnit, OrgUnitLevel

# Which org-unit level each role is bound to (a facility user is bound to its facility's unit).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_ADMIN: (OrgUnitLevel.COUNTY,),
    Role.TOWN_OFFICE: (OrgUnitLevel.TOWN,),
    Role.FACILITY_STAFF: (OrgUnitLevel.TOWN, OrgUnitLevel.ZONE, OrgUnitLevel.VILLAGE),
    Role.VILLAGE_WORKER: (OrgUnitLevel.VILLAGE,),
    Role.VILLAGE_DOCTOR: (OrgUnitLevel.VILLAGE,),
}


class AccountError(ValueError):
    """Bad input for an account operation; the message is in Chinese and English."""


def _lock_window_start():
    return timezone.now() - timedelta(seconds=settings.WEIJI_LOGIN_LOCK_SECONDS)


def login_is_locked(*, username: str, ip: str) -> bool:
    """Whether ``username`` from ``ip`` has failed too often within the lock window."""
    recent = LoginFailure.objects.filter(
        username=username.lower(), ip=ip, at__gte=_lock_window_start()
    ).count()
    return recent >= settings.WEIJI_LOGIN_MAX_FAILURES


def login_failure_record(*, username: str, ip: str) -> LoginFailure:
    """Count one failed login of ``username`` from ``ip``."""
    return LoginFailure.objects.create(username=username.lower()[:150], ip=ip[:64])


def login_failures_clear(*, username: str, ip: str) -> int:
    """Forget the failures of ``username`` from ``ip`` after a successful login."""
    deleted, _ = LoginFailure.objects.filter(username=username.lower(), ip=ip).delete()
    return deleted


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    orgunit_code: str,
    password: str | None = None,
    facility_code: str | None = None,
    display_name: str = "",
    created_by: User | None = None,
) -> tuple[User, str]:
    """Create a user bound to an org unit (and for facility staff, a facility).

    Returns the user and the password (generated when none is given).
    """
    if role not in Role.values:
        raise AccountError(
            f"未知角色 {role!r}，可选：{', '.join(Role.values)} / unknown role {role!r}"
        )
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户名 {username} 已存在 / username {username} already exists")
    facility = None
    if facility_code:
        facility = Facility.objects.filter(code=facility_code).first()
        if facility is None:
            raise AccountError(
                f"机构代码 {facility_code} 不存在 / facility {facility_code} does not exist"
            )
        orgunit_code = orgunit_code or facility.orgunit_id
    unit = OrgUnit.objects.filter(code=orgunit_code).first()
    if unit is None:
        raise AccountError(
            f"区划代码 {orgunit_code} 不存在，请先导入区划 / org unit {orgunit_code} does not exist"
        )
    if role != Role.FACILITY_STAFF and unit.level not in ROLE_LEVELS[role]:
        raise AccountError(
            f"角色 {Role(role).label} 须绑定到 {'/'.join(ROLE_LEVELS[role])} 级单位，"
            f"{unit.name} 是 {unit.level} / role {role} must be bound to a "
            f"{'/'.join(ROLE_LEVELS[role])} unit, {unit.code} is a {unit.level}"
        )
    if role == Role.FACILITY_STAFF and facility is None:
        facility = Facility.objects.filter(orgunit=unit).order_by("code").first()
    password = password or secrets.token_urlsafe(12)
    user = User(
        username=username, role=role, orgunit=unit, facility=facility,
        display_name=display_name,
    )
    user.set_password(password)
    user.save()
    audit_record(
        user=created_by, action=AuditAction.CREATE, obj=user,
        detail={"role": role, "orgunit": unit.code, "facility": facility.code if facility else ""},
    )
    return user, password
