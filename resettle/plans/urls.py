from django.urls import path

from resettle.plans import views

app_name = "plans"
urlpatterns = [
    path("people/<uuid:pk>/plan/", views.person_plan_view, name="person_plan"),
    path("people/<uuid:pk>/plan/print/", views.plan_print_view, name="print"),
    path("people/<uuid:pk>/plan/goals/new/", views.goal_create_view, name="goal_create"),
    path("people/<uuid:pk>/plan/reviews/new/", views.review_create_view, name="review_create"),
    path("goals/<uuid:pk>/", views.goal_detail_view, name="goal_detail"),
    path("goals/<uuid:pk>/progress/", views.goal_progress_view, name="goal_progress"),
    path("goals/<uuid:pk>/steps/new/", views.step_add_view, name="step_add"),
    path("goals/<uuid:pk>/steps/<uuid:step_id>/done/", views.step_done_view, name="step_done"),
]
