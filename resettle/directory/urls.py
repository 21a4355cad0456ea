from django.urls import path

from resettle.directory import views

app_name = "directory"
urlpatterns = [
    # Signed in: the partnership's directory, and managing one's own organisation's services.
    path("services/", views.service_list_view, name="service_list"),
    path("services/new/", views.service_create_view, name="service_create"),
    path("services/locations/", views.location_list_view, name="location_list"),
    path("services/locations/new/", views.location_create_view, name="location_create"),
    path("services/locations/<uuid:pk>/edit/", views.location_edit_view, name="location_edit"),
    path("services/<uuid:pk>/", views.service_detail_view, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit_view, name="service_edit"),
    path(
        "services/<uuid:pk>/deactivate/",
        views.service_deactivate_view,
        name="service_deactivate",
    ),
    path(
        "services/<uuid:pk>/reactivate/",
        views.service_reactivate_view,
        name="service_reactivate",
    ),
    path("services/<uuid:pk>/schedules/new/", views.schedule_add_view, name="schedule_add"),
    path(
        "services/<uuid:pk>/schedules/<uuid:schedule_id>/end/",
        views.schedule_end_view,
        name="schedule_end",
    ),
    # Public: active services open to all, for anyone.
    path("directory/", views.public_list_view, name="public_list"),
    path("directory/<uuid:pk>/", views.public_detail_view, name="public_detail"),
]
