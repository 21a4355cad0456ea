from django.urls import path

from resettle.offending import views

app_name = "offending"
urlpatterns = [
    path("people/<uuid:pk>/offence-and-risk/", views.person_offending_view, name="person"),
    path(
        "people/<uuid:pk>/offence-and-risk/sentences/new/",
        views.sentence_create_view,
        name="sentence_create",
    ),
    path(
        "people/<uuid:pk>/offence-and-risk/sentences/<uuid:sentence_id>/correct/",
        views.sentence_correct_view,
        name="sentence_correct",
    ),
    path(
        "people/<uuid:pk>/offence-and-risk/risk-assessments/new/",
        views.risk_assessment_create_view,
        name="risk_assessment_create",
    ),
    path(
        "people/<uuid:pk>/offence-and-risk/licence-conditions/new/",
        views.licence_condition_create_view,
        name="licence_condition_create",
    ),
    path(
        "people/<uuid:pk>/offence-and-risk/licence-conditions/<uuid:condition_id>/end/",
        views.licence_condition_end_view,
        name="licence_condition_end",
    ),
]
