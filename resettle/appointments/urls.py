from django.urls import path

from resettle.appointments import views

app_name = "appointments"
urlpatterns = [
    path("people/<uuid:pk>/appointments/", views.person_appointments_view, name="person_list"),
    path("people/<uuid:pk>/appointments/new/", views.appointment_book_view, name="book"),
    path("appointments/<uuid:pk>/", views.appointment_detail_view, name="detail"),
    path(
        "appointments/<uuid:pk>/reschedule/",
        views.appointment_reschedule_view,
        name="reschedule",
    ),
    path("appointments/<uuid:pk>/cancel/", views.appointment_cancel_view, name="cancel"),
    path("appointments/<uuid:pk>/outcome/", views.appointment_outcome_view, name="outcome"),
    path("account/calendar/", views.calendar_settings_view, name="calendar"),
    path("account/calendar/new/", views.calendar_create_view, name="calendar_create"),
    path("account/calendar/revoke/", views.calendar_revoke_view, name="calendar_revoke"),
    path("calendar/<str:feed_token>.ics", views.calendar_feed_view, name="feed"),
]
