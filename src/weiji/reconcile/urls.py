from django.urls import path

from weiji.reconcile import api, views

app_name = "reconcile"
urlpatterns = [
    path("", views.index, name="index"),
    path("sources/new/", views.source_new, name="source_new"),
    path("sources/<slug:code>/", views.source_detail, name="source"),
    path("items/", views.item_list, name="items"),
    path("items/export.xlsx", views.item_export, name="items_export"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/resolve/", views.item_resolve, name="item_resolve"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("api/openapi.json", api.openapi, name="openapi"),
    path("api/sources/<slug:code>/records", api.records_push, name="api_records"),
    path("api/sources/<slug:code>/records/<str:record_id>", api.record_detail, name="api_record"),
]
