"""URLs of the shared pages (mounted at the site root by ``web/urls.py``)."""

from django.urls import include, path

from weiji.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("i18n/", include("django.conf.urls.i18n")),
]
