"""Indicator pages, mounted at /indicators/."""

from __future__ import annotations

from django.urls import path

from weiji.indicators import views, views_scoring

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.report_index, name="reports"),
    path("reports/<str:unit_code>/<str:month>/", views.report_detail, name="report_detail"),
    path("reports/<str:unit_code>/<str:month>/action/", views.report_action,
         name="report_action"),
    path("reports/<str:unit_code>/<str:month>/form.xlsx", views.report_xlsx, name="report_xlsx"),
    path("scores/", views_scoring.scores, name="scores"),
    path("scores/scheme/", views_scoring.scheme_edit, name="scheme"),
]
