from django.urls import path

from weiji.orgunits import views

app_name = "orgunits"
urlpatterns = [
    path("", views.tree, name="tree"),
]
