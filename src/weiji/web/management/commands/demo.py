"""``weiji demo``: a demo district on the embedded default — generate, load, lists, serve."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from weiji.accounts.models import Role, User
from weiji.accounts.services import AccountError, user_create
from weiji.orgunits.models import Facility, OrgUnit
from weiji.records.bundle.generate import district_generate
from weiji.records.services import bundle_load
from weiji.registry.models import Person
from weiji.worklists.models import ChangeReason
from weiji.worklists.tasks import servicelist_run

DEMO_PASSWORD = "weiji-demo-2026"


def demo_accounts() -> list[tuple[str, str, str]]:
    """Create one account per role in the demo district (idempotent): (username, role, unit)."""
    county = OrgUnit.objects.filter(level="county").order_by("code").first()
    village = (OrgUnit.objects.filter(level="village", persons__isnull=False)
               .order_by("code").first())
    if county is None or village is None:
        raise CommandError("演示区划未导入 / the demo district is not loaded")
    town_code = next(code for code in village.path.strip("/").split("/")
                     if OrgUnit.objects.filter(code=code, level="town").exists())
    facility = (Facility.objects.filter(kind__in=["health_center", "community_center"],
                                        catchments__orgunit__code__in=village.path.strip("/")
                                        .split("/"))
                .order_by("code").first())
    wanted = [
        ("admin", Role.DISTRICT_ADMIN, county.code, None),
        ("town", Role.TOWN_OFFICE, town_code, None),
        ("village", Role.VILLAGE_WORKER, village.code, None),
        ("doctor", Role.VILLAGE_DOCTOR, village.code, None),
    ]
    if facility is not None:
        wanted.append(("facility", Role.FACILITY_STAFF, facility.orgunit_id, facility.code))
    accounts = []
    for username, role, unit_code, facility_code in wanted:
        if not User.objects.filter(username=username).exists():
            try:
                user_create(username=username, role=role, orgunit_code=unit_code,
                            facility_code=facility_code, password=DEMO_PASSWORD)
            except AccountError as exc:
                raise CommandError(str(exc)) from exc
        accounts.append((username, Role(role).label, unit_code))
    return accounts


class Command(BaseCommand):
    help = "Create a demo district (generate → load → this month's lists) and serve the web UI"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=5000, help="residents / 人口数")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true",
                            help="prepare the demo only / 只准备数据，不启动服务")

    def handle(self, *args, persons: int, seed: int, port: int, no_serve: bool, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        if not Person.objects.exists():
            bundle = Path(settings.VAR_DIR) / "demo-bundle"
            self.stdout.write(f"生成演示区县 / generating a demo district of {persons} residents")
            district_generate(persons=persons, out=bundle, seed=seed)
            report = bundle_load(source=bundle)
            for name, counts in report.to_dict()["files"].items():
                self.stdout.write(f"  {name}: read {counts['read']}, loaded {counts['loaded']}, "
                                  f"rejected {counts['rejected']}")
        today = date.today()
        first = today.replace(day=1)
        self.stdout.write(f"生成服务名单 / generating the service lists for {first:%Y-%m}")
        servicelist_run(as_of=first, snapshot=True, reason=ChangeReason.MONTHLY)
        if today != first:
            servicelist_run(as_of=today, snapshot=False, reason=ChangeReason.RULE)
        self.stdout.write(f"\n演示账号 / demo accounts (password 密码: {DEMO_PASSWORD})")
        for username, role, unit in demo_accounts():
            self.stdout.write(f"  {username:10s} {role}  {unit}")
        if no_serve:
            return
        call_command("serve", port=port)
