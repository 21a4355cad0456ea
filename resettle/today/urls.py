from django.urls import path

from resettle.today import views

app_name = "today"
urlpatterns = [
    path("today/", views.today_view, name="today"),
    path("caseload/", views.caseload_view, name="caseload"),
]
