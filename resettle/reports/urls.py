from django.urls import path

from resettle.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_index_view, name="index"),
    path("reports/quarterly-return/", views.quarterly_return_view, name="quarterly_return"),
    path(
        "reports/quarterly-return/download/",
        views.quarterly_return_download_view,
        name="quarterly_return_download",
    ),
]
