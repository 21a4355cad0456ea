"""Marks on registers appear on the person's timeline, for those who may read them."""

import pytest
from django.urls import reverse

from resettle.registers.models import Attendance
from resettle.registers.tests.conftest import make_session

pytestmark = pytest.mark.django_db


def test_a_session_the_person_was_at_is_on_their_timeline(client_as, cast, enrolled, service):
    session = make_session(service, days_from_now=-7)
    Attendance.objects.create(session=session, person=enrolled, status="late")
    url = reverse("custody:timeline", args=[enrolled.pk])

    page = client_as(cast.coordinator).get(url).content.decode()

    assert "Session: Tuesday football" in page
    assert "Late" in page


def test_sessions_are_a_kind_the_timeline_can_show_alone(client_as, cast, enrolled, service):
    Attendance.objects.create(
        session=make_session(service, days_from_now=-7), person=enrolled, status="attended"
    )
    url = reverse("custody:timeline", args=[enrolled.pk])

    page = client_as(cast.coordinator).get(url, {"show": "session"}).content.decode()

    assert "Session: Tuesday football" in page


def test_a_partner_without_the_agreement_does_not_see_the_marks(
    client_as, cast, make_person, service
):
    person = make_person(cast.caseworker, cast.coordinator, given_name="Ola")
    Attendance.objects.create(
        session=make_session(service, days_from_now=-7), person=person, status="attended"
    )
    url = reverse("custody:timeline", args=[person.pk])

    page = client_as(cast.caseworker).get(url).content.decode()

    assert "Tuesday football" not in page
