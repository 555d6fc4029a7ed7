from django.urls import path

from weiji.worklists import catalogue_views, views

app_name = "worklists"

urlpatterns = [
    path("", views.index, name="index"),
    path("village/<str:code>/", views.village_list, name="village"),
    path("village/<str:code>/print/", views.village_print, name="village_print"),
    path("village/<str:code>/export.xlsx", views.village_export, name="village_export"),
    path("facility/", views.facility_list, name="facility"),
    path("town/", views.town_progress, name="town"),
    path("leads/", views.leads, name="leads"),
    path("item/<int:pk>/", views.item_detail, name="item"),
    path("item/<int:pk>/done/", views.item_done, name="item_done"),
    path("item/<int:pk>/visit/", views.item_visit, name="item_visit"),
    path("item/<int:pk>/mark/", views.item_mark, name="item_mark"),
    path("catalogue/", catalogue_views.catalogue_page, name="catalogue"),
    path("catalogue/v/<int:version>/", catalogue_views.catalogue_version_page,
         name="catalogue_version"),
]
