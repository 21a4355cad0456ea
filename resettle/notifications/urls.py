from django.urls import path

from resettle.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("read/", views.notification_mark_all_read_view, name="mark_all_read"),
    path("<uuid:pk>/", views.notification_open_view, name="open"),
]
