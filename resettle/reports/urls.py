from django.urls import path

from resettle.reports import views
from resettle.reports.kinds import REPORT_KINDS

app_name = "reports"
urlpatterns = [path("reports/", views.report_index_view, name="index")]
for _kind in REPORT_KINDS:
    urlpatterns += [
        path(f"reports/{_kind.slug}/", views.report_view(_kind), name=_kind.url_name),
        path(
            f"reports/{_kind.slug}/download/",
            views.report_download_view(_kind),
            name=_kind.download_url_name,
        ),
    ]
