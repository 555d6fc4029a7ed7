"""Campaign pages, mounted at /campaigns/."""

from __future__ import annotations

from django.urls import path

from weiji.campaigns import exchange_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_index, name="index"),
    path("new/", views.campaign_edit, name="new"),
    path("exchange/", exchange_views.exchange_inbox, name="exchange_inbox"),
    path("exchange/<int:pk>/", exchange_views.exchange_detail, name="exchange_detail"),
    path("exchange/<int:pk>/receive/", exchange_views.exchange_receive_view, name="exchange_receive"),
    path("exchange/<int:pk>/download/<str:name>", exchange_views.exchange_download,
         name="exchange_download"),
    path("<str:code>/", views.campaign_detail, name="detail"),
    path("<str:code>/edit/", views.campaign_edit, name="edit"),
    path("<str:code>/refresh/", views.campaign_refresh_targets, name="refresh"),
    path("<str:code>/remind/", views.campaign_remind, name="remind"),
    path("<str:code>/targets/", views.campaign_targets, name="targets"),
    path("<str:code>/checkin/", views.campaign_checkin_page, name="checkin"),
    path("<str:code>/upload/", views.campaign_upload_page, name="upload"),
    path("<str:code>/visit/<int:target_id>/", views.campaign_visit, name="visit"),
    path("<str:code>/report.csv", views.campaign_report, name="report"),
]
