from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "weiji.reconcile"
    label = "reconcile"
    default_auto_field = "django.db.models.BigAutoField"
