from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "weiji.indicators"
    label = "indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from weiji.accounts.models import Role
        from weiji.web.nav import nav_register

        nav_register("indicators:dashboard", _("指标看板"))
        nav_register("indicators:reports", _("月报表"), (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE))
        nav_register("indicators:scores", _("绩效考核"),
                     (Role.DISTRICT_ADMIN, Role.TOWN_OFFICE, Role.FACILITY_STAFF))
