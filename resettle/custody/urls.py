from django.urls import path

from resettle.custody import views

app_name = "custody"
urlpatterns = [
    path("people/<uuid:pk>/custody/", views.person_custody_view, name="person"),
    path("people/<uuid:pk>/custody/new/", views.period_create_view, name="create"),
    path(
        "people/<uuid:pk>/custody/<uuid:period_id>/release/",
        views.release_view,
        name="release",
    ),
    path(
        "people/<uuid:pk>/custody/<uuid:period_id>/recall/",
        views.recall_view,
        name="recall",
    ),
    path(
        "people/<uuid:pk>/custody/<uuid:period_id>/checklist/",
        views.checklist_view,
        name="checklist",
    ),
    path("people/<uuid:pk>/timeline/", views.timeline_view, name="timeline"),
    path("releases/", views.release_worklist_view, name="releases"),
]
