from django.urls import path

from resettle.cases import views

app_name = "cases"
urlpatterns = [
    path("people/<uuid:pk>/cases/", views.person_cases_view, name="person"),
    path("people/<uuid:pk>/cases/new/", views.case_open_view, name="open"),
    path("cases/<uuid:pk>/", views.case_detail_view, name="detail"),
    path("cases/<uuid:pk>/edit/", views.case_edit_view, name="edit"),
    path("cases/<uuid:pk>/pause/", views.case_pause_view, name="pause"),
    path("cases/<uuid:pk>/resume/", views.case_resume_view, name="resume"),
    path("cases/<uuid:pk>/close/", views.case_close_view, name="close"),
    path("cases/<uuid:pk>/reopen/", views.case_reopen_view, name="reopen"),
    path("cases/<uuid:pk>/gate-meeting/", views.gate_meeting_view, name="gate_meeting"),
]
