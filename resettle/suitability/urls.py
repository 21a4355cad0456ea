from django.urls import path

from resettle.suitability import views

app_name = "suitability"
urlpatterns = [
    path("<uuid:pk>/suitability/", views.person_suitability_view, name="person"),
    path("<uuid:pk>/suitability/new/", views.assessment_create_view, name="create"),
    path(
        "<uuid:pk>/suitability/<uuid:assessment_pk>/review/",
        views.review_request_view,
        name="request_review",
    ),
]
