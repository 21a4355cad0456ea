"""The demo's appointments: mentors' meetings this week with a gate meeting among them, and
last week's with their outcomes recorded as contacts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.appointments.models import Appointment
from resettle.demo.generator import delete_demo, generate

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _digest() -> list:
    return list(
        Appointment.objects.order_by("id").values_list(
            "id", "person_id", "with_user__username", "kind", "starts_at", "state", "contact_id"
        )
    )


def test_mentors_have_this_weeks_meetings_a_gate_meeting_and_past_outcomes():
    generate(40, 3, TODAY, password="a-demo-password")
    appointments = Appointment.objects.select_related("contact", "case", "with_user")
    week_end = timezone.now() + timedelta(days=8)
    mentor = appointments.filter(with_user__username="mentor")
    assert mentor.filter(kind="gate_meeting", state="booked").exists()
    booked = appointments.filter(state="booked", starts_at__lt=week_end)
    assert booked.filter(case__mentor__isnull=False).count() >= 3
    happened = appointments.exclude(state="booked")
    assert happened.filter(state="attended").exists()
    for appointment in happened:
        assert appointment.contact is not None
        assert appointment.contact.happened_at == appointment.starts_at
        assert appointment.contact.outcome == appointment.state
    for appointment in appointments:
        try:
            appointment.full_clean(validate_constraints=True)
        except ValidationError as exc:
            pytest.fail(f"{appointment}: {exc}")


def test_the_same_seed_books_the_same_appointments():
    generate(40, 3, TODAY, password="a-demo-password")
    first = _digest()
    delete_demo()
    assert not Appointment.objects.exists()
    generate(40, 3, TODAY, password="a-demo-password")
    assert _digest() == first
