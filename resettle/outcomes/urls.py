from django.urls import path

from resettle.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("people/<uuid:pk>/outcomes/", views.person_outcomes_view, name="person"),
    path("people/<uuid:pk>/outcomes/new/", views.assessment_record_view, name="record"),
    path("people/<uuid:pk>/outcomes/self/", views.assessment_self_view, name="self"),
    path("people/<uuid:pk>/outcomes/self/done/", views.assessment_self_done_view, name="self_done"),
    path("outcomes/assessments/<uuid:pk>/", views.assessment_detail_view, name="detail"),
    path("cases/<uuid:pk>/outcomes/", views.end_of_support_view, name="end_of_support"),
    path("outcomes/summary/", views.summary_view, name="summary"),
    path("outcomes/schedules/", views.schedule_list_view, name="schedules"),
    path("outcomes/schedules/edit/", views.schedule_edit_view, name="schedule_edit"),
]
