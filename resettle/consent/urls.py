"""Included under `people/<uuid:pk>/consent/`: every view takes the person's id as `pk`."""

from django.urls import path

from resettle.consent import views

app_name = "consent"
urlpatterns = [
    path("", views.person_consents_view, name="person_consents"),
    path("new/", views.consent_record_view, name="record"),
    path("<uuid:consent_pk>/withdraw/", views.consent_withdraw_view, name="withdraw"),
]
