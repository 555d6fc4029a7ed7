from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "weiji.reconcile"
    label = "reconcile"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from weiji.accounts.models import Role
        from weiji.web.nav import nav_register

        nav_register("reconcile:index", "比对校核",
                     (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE, Role.VILLAGE_WORKER))
