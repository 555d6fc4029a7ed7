"""``weiji createuser --username U --role ROLE --orgunit CODE [--password P] [--facility CODE]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from weiji.accounts.models import Role
from weiji.accounts.services import AccountError, user_create


class Command(BaseCommand):
    help = "Create a user bound to an org unit / 创建绑定到行政区划的用户"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--orgunit", default="", help="org unit code / 区划代码")
        parser.add_argument("--facility", default="", help="facility code, for facility_staff")
        parser.add_argument("--password", default="", help="generated and printed when omitted")
        parser.add_argument("--name", default="", help="display name / 姓名")

    def handle(self, *args, **opts):
        if not opts["orgunit"] and not opts["facility"]:
            raise CommandError("需要 --orgunit 或 --facility / --orgunit or --facility is required")
        try:
            user, password = user_create(
                username=opts["username"], role=opts["role"], orgunit_code=opts["orgunit"],
                facility_code=opts["facility"] or None, password=opts["password"] or None,
                display_name=opts["name"],
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created user {user.username} ({user.role}, {user.orgunit_id})")
        if not opts["password"]:
            self.stdout.write(f"password: {password}")
