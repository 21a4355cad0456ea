from django.urls import path

from resettle.access import views

app_name = "access"
urlpatterns = [
    path("people/<uuid:pk>/break-glass/", views.break_glass_view, name="break_glass"),
    path(
        "people/<uuid:pk>/break-glass/<uuid:access_pk>/close/",
        views.break_glass_close_view,
        name="break_glass_close",
    ),
    path("break-glass/<uuid:pk>/end/", views.break_glass_end_view, name="break_glass_end"),
    path("reports/break-glass/", views.break_glass_report_view, name="break_glass_report"),
    path(
        "reports/break-glass/download/",
        views.break_glass_report_csv_view,
        name="break_glass_report_csv",
    ),
]
