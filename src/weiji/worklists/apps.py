from django.apps import AppConfig


class WorklistsConfig(AppConfig):
    name = "weiji.worklists"
    label = "worklists"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from weiji.web.nav import nav_register

        nav_register("worklists:index", "服务名单")
        nav_register("worklists:town", "工作进度", roles={"town_office", "district_admin",
                                                            "facility_staff"})
        nav_register("worklists:leads", "孕情线索", roles={"town_office"})
        nav_register("worklists:catalogue", "服务目录", roles={"district_admin"})
