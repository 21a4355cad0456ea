from django.urls import path

from resettle.registers import views

app_name = "registers"
urlpatterns = [
    path("sessions/", views.session_list_view, name="session_list"),
    path("services/<uuid:pk>/sessions/new/", views.session_create_view, name="session_create"),
    path("services/<uuid:pk>/sessions/make/", views.sessions_generate_view, name="generate"),
    path("sessions/<uuid:pk>/", views.register_view, name="register"),
    path("sessions/<uuid:pk>/marks/", views.marks_view, name="marks"),
    path("sessions/<uuid:pk>/headcount/", views.headcount_view, name="headcount"),
    path("sessions/<uuid:pk>/notes/new/", views.note_create_view, name="note_create"),
    path("sessions/<uuid:pk>/sign-up/", views.sign_up_view, name="sign_up"),
    path("sessions/<uuid:pk>/move/", views.session_move_view, name="move"),
    path("sessions/<uuid:pk>/cancel/", views.session_cancel_view, name="cancel"),
    path("programmes/<uuid:pk>/", views.programme_detail_view, name="programme"),
    path("enrolments/<uuid:pk>/", views.enrolment_detail_view, name="enrolment"),
    path("enrolments/<uuid:pk>/complete/", views.enrolment_complete_view, name="complete"),
    path("enrolments/<uuid:pk>/feedback/", views.enrolment_feedback_view, name="feedback"),
]
