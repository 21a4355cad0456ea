from django.urls import path

from resettle.linkage import views

app_name = "linkage"
urlpatterns = [
    path("linkage/", views.run_list_view, name="runs"),
    path("linkage/runs/start/", views.run_start_view, name="run_start"),
    path("linkage/runs/<uuid:pk>/", views.run_detail_view, name="run_detail"),
    path("linkage/review/", views.review_view, name="review"),
    path("linkage/pairs/<uuid:pk>/", views.pair_view, name="pair"),
    path("cases-in-common/", views.cases_in_common_view, name="cases_in_common"),
    path(
        "cases-in-common/download/",
        views.cases_in_common_csv_view,
        name="cases_in_common_csv",
    ),
]
