from django.urls import path

from resettle.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("people/<uuid:pk>/reoffending/", views.person_outcomes_view, name="person_outcomes"),
    path("people/<uuid:pk>/reoffending/new/", views.outcome_create_view, name="outcome_create"),
    path("evaluation/cohorts/", views.cohort_list_view, name="cohort_list"),
    path("evaluation/cohorts/new/", views.cohort_create_view, name="cohort_create"),
    path("evaluation/cohorts/<uuid:pk>/", views.cohort_detail_view, name="cohort_detail"),
    path("evaluation/cohorts/<uuid:pk>/export/", views.cohort_export_view, name="cohort_export"),
    path(
        "evaluation/cohorts/<uuid:pk>/results/new/", views.result_create_view, name="result_create"
    ),
    path(
        "evaluation/cohorts/<uuid:pk>/evaluations/new/",
        views.evaluation_create_view,
        name="evaluation_create",
    ),
    path(
        "evaluation/evaluations/<uuid:pk>/",
        views.evaluation_detail_view,
        name="evaluation_detail",
    ),
    path(
        "evaluation/evaluations/<uuid:pk>/extract/",
        views.evaluation_extract_view,
        name="evaluation_extract",
    ),
    path("evaluation/exports/<uuid:pk>/", views.export_detail_view, name="export_detail"),
    path(
        "evaluation/exports/<uuid:pk>/download/",
        views.export_download_view,
        name="export_download",
    ),
]
