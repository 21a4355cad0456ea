from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from resettle.appointments.models import CalendarFeed
from resettle.appointments.services import (
    appointment_cancel,
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_feed_set_details,
)
from resettle.appointments.tests.conftest import booked, tomorrow_at
from resettle.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def fetch(token: str):
    # No session: a phone's calendar app has none.
    return Client().get(reverse("appointments:feed", args=[token]))


def events(response) -> list:
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_feed_shows_booked_appointments_with_first_name_and_place_only(
    cast, person, mentor_case
):
    gate = booked(
        cast.mentor, mentor_case, tomorrow_at(8), kind="gate_meeting", place="Gate of HMP N"
    )
    gate.note = "Bring a bus pass"
    gate.save()
    cancelled = booked(cast.mentor, mentor_case, tomorrow_at(12))
    appointment_cancel(actor=cast.mentor, appointment=cancelled, cancelled_by="person")
    booked(cast.mentor, mentor_case, timezone.now() + timedelta(days=120))  # beyond the window
    created = calendar_feed_create(user=cast.mentor.user)
    response = fetch(created.token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = events(response)
    assert str(event["summary"]) == "Meeting Sam"
    assert str(event["location"]) == "Gate of HMP N"
    assert event.decoded("dtstart") == gate.starts_at
    body = response.content.decode()
    assert "Okafor" not in body and "bus pass" not in body and "Gate meeting" not in body
    assert str(created.token) not in str(CalendarFeed.objects.values_list("token_hash", flat=True))


def test_full_names_and_notes_only_when_the_user_opts_in(cast, person, mentor_case):
    appointment = booked(cast.mentor, mentor_case, tomorrow_at(8), kind="gate_meeting")
    appointment.note = "Bring a bus pass"
    appointment.save()
    created = calendar_feed_create(user=cast.mentor.user)
    calendar_feed_set_details(user=cast.mentor.user, include_details=True)
    [event] = events(fetch(created.token))
    assert str(event["summary"]) == "Gate meeting: Sam Okafor"
    assert str(event["description"]) == "Bring a bus pass"


def test_a_revoked_or_replaced_or_unknown_address_is_a_404(cast, person, mentor_case):
    first = calendar_feed_create(user=cast.mentor.user)
    second = calendar_feed_create(user=cast.mentor.user)
    assert fetch(first.token).status_code == 404
    assert fetch(second.token).status_code == 200
    calendar_feed_revoke(user=cast.mentor.user)
    assert fetch(second.token).status_code == 404
    assert fetch("not-a-token").status_code == 404
    assert (
        AuditEvent.objects.filter(object_type="calendar_feed", action="token_revoked").count() == 2
    )


def test_the_feed_leaves_out_people_the_user_no_longer_works_with(cast, person, mentor_case):
    booked(cast.mentor, mentor_case, tomorrow_at(8))
    created = calendar_feed_create(user=cast.mentor.user)
    assert len(events(fetch(created.token))) == 1
    cast.mentor.ended_on = timezone.localdate()
    cast.mentor.save()
    assert events(fetch(created.token)) == []


def test_the_account_page_makes_shows_once_and_turns_off_the_address(cast, client_as):
    client = client_as(cast.mentor)
    page = client.get(reverse("appointments:calendar"))
    assert "You have no calendar address" in page.text
    made = client.post(reverse("appointments:calendar_create"))
    assert made.status_code == 200
    url = made.context["feed_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert fetch(token).status_code == 200
    again = client.get(reverse("appointments:calendar"))
    assert url not in again.text and "You have a calendar address" in again.text
    client.post(reverse("appointments:calendar"), {"include_details": "on"})
    assert CalendarFeed.objects.get(revoked_at__isnull=True).include_details
    client.post(reverse("appointments:calendar_revoke"))
    assert fetch(token).status_code == 404


def test_the_account_pages_need_a_sign_in(client_as):
    client = client_as(None)
    assert client.get(reverse("appointments:calendar")).status_code == 302
    assert client.post(reverse("appointments:calendar_create")).status_code == 302
    assert not CalendarFeed.objects.exists()
