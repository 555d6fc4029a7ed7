from django.urls import path

from weiji.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("stats/", views.stats, name="stats"),
    path("templates/", views.templates, name="templates"),
    path("test-send/", views.test_send, name="test_send"),
    path("person/<int:pk>/", views.person_messages, name="person"),
    path("person/<int:pk>/optout/", views.person_optout, name="person_optout"),
    path("hook/<str:provider>/<str:token>/receipts/", views.hook_receipts, name="hook_receipts"),
    path("hook/<str:provider>/<str:token>/inbound/", views.hook_inbound, name="hook_inbound"),
]
