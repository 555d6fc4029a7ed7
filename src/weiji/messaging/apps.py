from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "weiji.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "温馨告知"

    def ready(self) -> None:
        try:
            from weiji.web.nav import nav_register
        except ImportError:  # the web app is optional for this one
            return
        nav_register("messaging:outbox", "温馨告知")
