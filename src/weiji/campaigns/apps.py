from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "weiji.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from weiji.web.nav import nav_register

        nav_register("campaigns:index", _("集中服务活动"))
        nav_register("campaigns:exchange_inbox", _("流动人口通报"))
