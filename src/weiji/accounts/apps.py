from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weiji.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Auth events only (login, logout, failed login) are audited through auth signals.
        from weiji.accounts import auth_audit  # noqa: F401
