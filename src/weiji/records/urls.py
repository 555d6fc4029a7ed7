from django.urls import path

from weiji.records import views

app_name = "records"
urlpatterns = [
    path("persons/<int:pk>/events/new/", views.event_new, name="event_new"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:token>/errors.xlsx", views.upload_errors, name="upload_errors"),
]
