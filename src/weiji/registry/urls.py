from django.urls import path

from weiji.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.person_new, name="person_new"),
    path("households/new/", views.household_new, name="household_new"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/move/", views.person_move, name="person_move"),
    path("<int:pk>/move-out/", views.person_move_out, name="person_move_out"),
    path("<int:pk>/death/", views.person_death, name="person_death"),
]
