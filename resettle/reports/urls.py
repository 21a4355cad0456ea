from django.urls import path

from resettle.reports import views
from resettle.reports.kinds import REPORT_KINDS

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_index_view, name="index"),
    path("reports/builds/", views.build_list_view, name="build_list"),
    path("reports/builds/<uuid:pk>/", views.build_detail_view, name="build_detail"),
    path("reports/builds/<uuid:pk>/download/", views.build_download_view, name="build_download"),
    path("reports/builds/<uuid:pk>/retry/", views.build_retry_view, name="build_retry"),
]
for _kind in REPORT_KINDS:
    urlpatterns += [
        path(f"reports/{_kind.slug}/", views.report_view(_kind), name=_kind.url_name),
        path(
            f"reports/{_kind.slug}/download/",
            views.report_download_view(_kind),
            name=_kind.download_url_name,
        ),
        path(
            f"reports/{_kind.slug}/build/",
            views.report_build_view(_kind),
            name=f"{_kind.url_name}_build",
        ),
    ]
