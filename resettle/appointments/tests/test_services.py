from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from resettle.appointments.models import Appointment, AppointmentChange, AppointmentState
from resettle.appointments.services import (
    DoubleBooked,
    appointment_book,
    appointment_cancel,
    appointment_record_outcome,
    appointment_reschedule,
)
from resettle.appointments.tests.conftest import booked, tomorrow_at
from resettle.audit.models import AuditEvent
from resettle.cases.models import CaseState, CloseReason
from resettle.contacts.models import Contact
from resettle.core.exceptions import ApplicationError, PermissionDenied
from resettle.notifications.models import Notification

pytestmark = pytest.mark.django_db


def book(actor, case, **changes) -> Appointment:
    arguments = {
        "with_user": actor.user,
        "kind": "face_to_face",
        "starts_at": tomorrow_at(10),
        "minutes": 45,
        "place": "New Leaf office, 3 High Street",
        "note": "Bring ID for the bank account",
    } | changes
    return appointment_book(actor=actor, case=case, **arguments)


def test_it_books_an_appointment_on_the_case_and_audits_it(cast, case):
    appointment = book(cast.caseworker, case)
    assert appointment.state == AppointmentState.BOOKED
    assert appointment.mode == "in_person" and appointment.minutes == 45
    assert appointment.person == case.person and appointment.organisation == cast.lead_charity
    event = AuditEvent.objects.get(object_type="appointment", object_id=str(appointment.pk))
    assert event.action == "create" and event.category == "case_notes"
    assert "Bring ID" not in str(event.changes)


def test_a_mentor_books_a_gate_meeting_on_a_case_they_mentor(cast, mentor_case):
    appointment = book(cast.mentor, mentor_case, kind="gate_meeting", place="Gate of HMP N")
    assert appointment.with_user == cast.mentor.user and appointment.kind == "gate_meeting"


def test_a_mentor_cannot_book_a_colleague_and_others_cannot_book_at_all(cast, case, mentor_case):
    with pytest.raises(ValidationError) as colleague:
        book(cast.mentor, mentor_case, with_user=cast.caseworker.user)
    assert "books appointments with themselves" in str(colleague.value)
    with pytest.raises(PermissionDenied):
        book(cast.mentor, case)  # the lead charity's case
    with pytest.raises(PermissionDenied):
        book(cast.outsider, case)
    assert not Appointment.objects.exists()


def test_a_time_in_the_past_is_refused_and_points_to_recording_a_contact(cast, case):
    with pytest.raises(ValidationError) as past:
        book(cast.caseworker, case, starts_at=timezone.now() - timedelta(hours=2))
    assert "record a contact instead" in past.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists()


def test_bad_lengths_a_missing_place_and_a_closed_case_are_refused(cast, case):
    with pytest.raises(ValidationError) as bad:
        book(cast.caseworker, case, minutes=2, place="")
    assert set(bad.value.message_dict) == {"minutes", "place"}
    phone = book(cast.caseworker, case, kind="phone", place="")
    assert phone.mode == "phone"
    case.state, case.closed_on, case.close_reason = (
        CaseState.CLOSED,
        timezone.localdate(),
        CloseReason.GOALS_MET,
    )
    case.save()
    with pytest.raises(ApplicationError, match="Reopen it"):
        book(cast.caseworker, case, starts_at=tomorrow_at(15))


def test_double_booking_the_same_worker_warns_until_confirmed(cast, case, make_person):
    book(cast.caseworker, case)
    with pytest.raises(DoubleBooked) as clash:
        book(cast.caseworker, case, starts_at=tomorrow_at(10) + timedelta(minutes=30))
    assert "already has an appointment at this time" in clash.value.message
    assert Appointment.objects.count() == 1
    book(cast.caseworker, case, starts_at=tomorrow_at(10) + timedelta(minutes=30), book_anyway=True)
    assert Appointment.objects.count() == 2
    # Back to back is no clash.
    book(cast.caseworker, case, starts_at=tomorrow_at(11) + timedelta(minutes=15))


def test_rescheduling_keeps_the_old_time_dated_and_audits_old_and_new(cast, case):
    appointment = book(cast.caseworker, case)
    moved = appointment_reschedule(
        actor=cast.caseworker,
        appointment=appointment,
        starts_at=tomorrow_at(14),
        minutes=30,
        place="Library, Mill Lane",
        reason="Sam starts work in the morning",
    )
    assert moved.starts_at == tomorrow_at(14) and moved.version == 2
    change = AppointmentChange.objects.get(appointment=appointment)
    assert change.previous_starts_at == tomorrow_at(10)
    assert change.previous_place == "New Leaf office, 3 High Street"
    assert change.starts_at == tomorrow_at(14) and change.changed_by == cast.caseworker.user
    event = AuditEvent.objects.get(object_id=str(appointment.pk), action="update")
    assert event.changes["starts_at"][0] == tomorrow_at(10).isoformat()
    assert event.changes["starts_at"][1] == tomorrow_at(14).isoformat()
    with pytest.raises(ValidationError):
        appointment_reschedule(
            actor=cast.caseworker,
            appointment=moved,
            starts_at=timezone.now() - timedelta(days=1),
            minutes=30,
        )


def test_cancelling_records_who_and_why_and_ends_the_actions(cast, case):
    appointment = book(cast.caseworker, case)
    with pytest.raises(ValidationError):
        appointment_cancel(actor=cast.caseworker, appointment=appointment, cancelled_by="")
    cancelled = appointment_cancel(
        actor=cast.caseworker, appointment=appointment, cancelled_by="person", reason="Unwell"
    )
    assert cancelled.state == AppointmentState.CANCELLED
    assert (
        cancelled.cancelled_by_user == cast.caseworker.user and cancelled.cancel_reason == "Unwell"
    )
    assert cancelled.contact is None
    with pytest.raises(ApplicationError, match="cancelled, so it cannot be"):
        appointment_reschedule(
            actor=cast.caseworker, appointment=cancelled, starts_at=tomorrow_at(12), minutes=30
        )


def test_recording_attended_makes_exactly_one_contact_and_refuses_a_second(cast, case):
    appointment = booked(cast.caseworker, case, timezone.now() - timedelta(hours=1), minutes=50)
    done = appointment_record_outcome(
        actor=cast.caseworker, appointment=appointment, outcome="attended"
    )
    contact = Contact.objects.get()
    assert done.state == AppointmentState.ATTENDED and done.contact == contact
    assert contact.kind == "face_to_face" and contact.outcome == "attended"
    assert contact.happened_at == appointment.starts_at and contact.duration_minutes == 50
    with pytest.raises(ApplicationError, match="attended, so it cannot be"):
        appointment_record_outcome(
            actor=cast.caseworker, appointment=appointment, outcome="did_not_attend"
        )
    assert Contact.objects.count() == 1


def test_did_not_attend_and_cancelled_outcomes_are_contacts_too(cast, case):
    past = timezone.now() - timedelta(hours=3)
    missed = appointment_record_outcome(
        actor=cast.caseworker,
        appointment=booked(cast.caseworker, case, past),
        outcome="did_not_attend",
    )
    assert missed.contact.outcome == "did_not_attend" and missed.contact.duration_minutes is None
    with pytest.raises(ValidationError):
        appointment_record_outcome(
            actor=cast.caseworker,
            appointment=booked(cast.caseworker, case, past - timedelta(days=1)),
            outcome="cancelled",
        )
    called_off = appointment_record_outcome(
        actor=cast.caseworker,
        appointment=booked(cast.caseworker, case, past - timedelta(days=2)),
        outcome="cancelled",
        cancelled_by="other",
    )
    assert called_off.state == "cancelled" and called_off.contact.cancelled_by == "other"
    assert Contact.objects.count() == 2


def test_an_outcome_before_the_time_is_refused(cast, case):
    appointment = book(cast.caseworker, case)
    with pytest.raises(ApplicationError, match="has not started yet"):
        appointment_record_outcome(
            actor=cast.caseworker, appointment=appointment, outcome="attended"
        )
    assert not Contact.objects.exists()


def test_a_partner_may_not_change_another_organisations_appointment(cast, case, mentor_case):
    appointment = booked(cast.caseworker, case, timezone.now() - timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        appointment_record_outcome(actor=cast.mentor, appointment=appointment, outcome="attended")
    with pytest.raises(PermissionDenied):
        appointment_cancel(actor=cast.mentor, appointment=appointment, cancelled_by="person")


def test_the_database_refuses_an_appointment_that_ends_before_it_starts(cast, case):
    with pytest.raises(IntegrityError), transaction.atomic():
        booked(cast.caseworker, case, tomorrow_at(10), minutes=-30)


def test_the_database_refuses_an_attended_appointment_without_a_contact(cast, case):
    appointment = booked(cast.caseworker, case, tomorrow_at(10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(state="attended")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(cancel_reason="Why not")


def test_the_worker_is_told_when_a_colleague_books_or_cancels_for_them(
    cast, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(cast.safeguarding, case, with_user=cast.caseworker.user)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=cast.safeguarding, appointment=appointment, cancelled_by="worker")
    subjects = list(
        Notification.objects.filter(recipient=cast.caseworker.user).values_list(
            "subject", flat=True
        )
    )
    assert sorted(subjects) == ["Appointment booked for you", "Appointment cancelled"]
    with django_capture_on_commit_callbacks(execute=True):
        book(cast.caseworker, case, starts_at=tomorrow_at(15))
    assert Notification.objects.filter(recipient=cast.caseworker.user).count() == 2
