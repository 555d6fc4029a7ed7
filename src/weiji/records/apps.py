from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "weiji.records"
    label = "records"
    default_auto_field = "django.db.models.BigAutoField"
