from django.urls import path

from resettle.audit import views

app_name = "audit"
urlpatterns = [
    path(
        "people/<uuid:pk>/access-log/",
        views.person_access_log_view,
        name="person_access_log",
    ),
]
