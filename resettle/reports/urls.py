from django.urls import path

from resettle.reports import views
from resettle.reports.kinds import REPORT_KINDS
from resettle.reports.records_to_fix import PROBLEMS

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_index_view, name="index"),
    path("reports/builds/", views.build_list_view, name="build_list"),
    path("reports/builds/<uuid:pk>/", views.build_detail_view, name="build_detail"),
    path("reports/builds/<uuid:pk>/download/", views.build_download_view, name="build_download"),
    path("reports/builds/<uuid:pk>/retry/", views.build_retry_view, name="build_retry"),
    path(
        "reports/data-quality/records/",
        views.records_to_fix_index_view,
        name="data_quality_records",
    ),
]
for _problem in PROBLEMS:
    urlpatterns.append(
        path(
            f"reports/data-quality/records/{_problem.slug}/",
            views.records_to_fix_view(_problem),
            name=_problem.url_name,
        )
    )
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
