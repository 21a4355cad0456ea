from django.urls import path

from resettle.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("mentors/", views.mentor_list_view, name="mentor_list"),
    path("mentors/new/", views.mentor_create_view, name="mentor_create"),
    path("mentors/<uuid:pk>/", views.mentor_detail_view, name="mentor_detail"),
    path("mentors/<uuid:pk>/edit/", views.mentor_edit_view, name="mentor_edit"),
    path("mentors/<uuid:pk>/supervision/", views.supervision_list_view, name="supervision"),
    path(
        "mentors/<uuid:pk>/supervision/new/",
        views.supervision_create_view,
        name="supervision_create",
    ),
    path("people/<uuid:pk>/mentoring/", views.person_mentoring_view, name="person"),
    path("people/<uuid:pk>/mentoring/preferences/", views.preferences_view, name="preferences"),
    path("people/<uuid:pk>/mentoring/match/", views.match_view, name="match"),
    path("people/<uuid:pk>/mentoring/allocate/", views.allocate_view, name="allocate"),
    path("people/<uuid:pk>/mentoring/reallocate/", views.reallocate_view, name="reallocate"),
    path("people/<uuid:pk>/mentoring/end/", views.end_view, name="end"),
]
