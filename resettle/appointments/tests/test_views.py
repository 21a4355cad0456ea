from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from resettle.appointments.models import Appointment, AppointmentChange
from resettle.appointments.tests.conftest import booked, tomorrow_at
from resettle.contacts.models import Contact
from resettle.contacts.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    day = tomorrow_at(10)
    return {
        "kind": "gate_meeting",
        "on_day": day.day,
        "on_month": day.month,
        "on_year": day.year,
        "at": "08:00",
        "minutes": "60",
        "place": "Gate of HMP Northshire",
        "note": "",
    } | changes


def test_a_mentor_books_a_gate_meeting_from_the_persons_page(cast, person, mentor_case, client_as):
    client = client_as(cast.mentor)
    url = reverse("appointments:book", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Record a contact instead" in page.text
    response = client.post(url, form())
    appointment = Appointment.objects.get()
    assert response.url == reverse("appointments:detail", args=[appointment.pk])
    assert appointment.with_user == cast.mentor.user and appointment.case == mentor_case
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "08:00"
    listed = client.get(reverse("appointments:person_list", args=[person.pk]))
    assert "Gate meeting" in listed.text


def test_a_past_time_is_refused_beside_the_date_and_points_to_a_contact(
    cast, person, case, client_as
):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_as(cast.caseworker).post(
        reverse("appointments:book", args=[person.pk]),
        form(on_day=yesterday.day, on_month=yesterday.month, on_year=yesterday.year),
    )
    assert response.status_code == 200
    assert "record a contact instead" in response.text
    assert response.context["form"].errors["on"]
    assert not Appointment.objects.exists()


def test_a_double_booking_shows_a_warning_and_books_once_confirmed(cast, person, case, client_as):
    booked(cast.caseworker, case, tomorrow_at(8), minutes=60)
    client = client_as(cast.caseworker)
    url = reverse("appointments:book", args=[person.pk])
    warned = client.post(url, form(at="08:30"))
    assert warned.status_code == 200
    assert "already has an appointment at this time" in warned.text
    assert 'name="book_anyway"' in warned.text
    assert Appointment.objects.count() == 1
    confirmed = client.post(url, form(at="08:30", book_anyway="on"))
    assert confirmed.status_code == 302 and Appointment.objects.count() == 2


def test_without_a_live_case_booking_says_why(cast, person, client_as):
    response = client_as(cast.caseworker).get(reverse("appointments:book", args=[person.pk]))
    assert response.status_code == 403 and "Open a case first" in response.text


def test_one_click_records_a_past_appointment_as_an_attended_contact(
    cast, person, mentor_case, client_as
):
    appointment = booked(
        cast.mentor, mentor_case, timezone.now() - timedelta(hours=2), kind="gate_meeting"
    )
    client = client_as(cast.mentor)
    detail = client.get(reverse("appointments:detail", args=[appointment.pk]))
    assert "They attended: save as a contact" in detail.text
    response = client.post(
        reverse("appointments:outcome", args=[appointment.pk]), {"outcome": "attended"}
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.kind == "gate_meeting" and contact.outcome == "attended"
    appointment.refresh_from_db()
    assert appointment.contact == contact
    again = client.post(
        reverse("appointments:outcome", args=[appointment.pk]), {"outcome": "attended"}
    )
    assert again.status_code == 302 and Contact.objects.count() == 1


def test_cancel_asks_first_then_records_who_cancelled(cast, person, case, client_as):
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    client = client_as(cast.caseworker)
    url = reverse("appointments:cancel", args=[appointment.pk])
    page = client.get(url)
    assert "This cannot be undone" in page.text and "govuk-button--warning" in page.text
    client.post(url, {"cancelled_by": "person", "reason": "Has a job interview"})
    appointment.refresh_from_db()
    assert appointment.state == "cancelled" and appointment.cancel_reason == "Has a job interview"


def test_reschedule_moves_it_and_the_detail_shows_the_earlier_time(cast, person, case, client_as):
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    client = client_as(cast.caseworker)
    client.post(
        reverse("appointments:reschedule", args=[appointment.pk]),
        form(at="13:15", minutes="30", place="Library", reason="Clash with the GP"),
    )
    assert AppointmentChange.objects.filter(appointment=appointment).count() == 1
    detail = client.get(reverse("appointments:detail", args=[appointment.pk]))
    assert "Earlier times" in detail.text and "Clash with the GP" in detail.text


@pytest.mark.parametrize("who", ["outsider", "analyst", "coordinator"])
def test_people_who_do_not_work_with_the_person_get_a_404(cast, person, case, client_as, who):
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    client = client_as(getattr(cast, who))
    for name in ("detail", "reschedule", "cancel", "outcome"):
        assert client.get(reverse(f"appointments:{name}", args=[appointment.pk])).status_code == 404
    assert client.get(reverse("appointments:book", args=[person.pk])).status_code == 404


def test_a_partner_that_sees_the_appointment_may_not_change_it(
    cast, person, case, client_as, share
):
    share(categories=["case_notes"], kinds=["mentoring"], basis="legitimate_interests")
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    client = client_as(cast.mentor)
    assert client.get(reverse("appointments:detail", args=[appointment.pk])).status_code == 200
    refused = client.post(
        reverse("appointments:cancel", args=[appointment.pk]), {"cancelled_by": "person"}
    )
    assert refused.status_code == 403
    appointment.refresh_from_db()
    assert appointment.state == "booked"


def test_anonymous_is_sent_to_sign_in(cast, person, case, client_as):
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    client = client_as(None)
    response = client.get(reverse("appointments:detail", args=[appointment.pk]))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_appointments_show_on_today_caseload_summary_and_timeline(cast, person, case, client_as):
    soon = timezone.now() + timedelta(minutes=30)
    if timezone.localtime(soon).date() != timezone.localdate():
        soon = timezone.now() - timedelta(minutes=1)
    booked(cast.caseworker, case, soon, place="Café on Mill Lane")
    earlier = booked(cast.caseworker, case, timezone.now() - timedelta(days=2))
    upcoming = booked(cast.caseworker, case, tomorrow_at(11))
    client = client_as(cast.caseworker)
    today = client.get(reverse("today:today"))
    assert "Café on Mill Lane" in today.text
    assert earlier in today.context["today"].awaiting_outcome
    assert "Record outcome" in today.text
    caseload = client.get(reverse("today:caseload"))
    assert caseload.context["cases"][0].next_appointment is not None
    summary = client.get(reverse("people:detail", args=[person.pk]))
    assert "Next appointments" in summary.text
    assert reverse("appointments:detail", args=[upcoming.pk]) in summary.text
    timeline = client.get(reverse("custody:timeline", args=[person.pk]))
    assert "Appointment: meeting in person" in timeline.text


def test_the_persons_list_costs_the_same_queries_however_many(
    count_queries, cast, person, case, client_as
):
    client = client_as(cast.caseworker)
    url = reverse("appointments:person_list", args=[person.pk])
    client.get(url)

    def measure() -> int:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        booked(cast.caseworker, case, tomorrow_at(8) + timedelta(days=n))
    few = measure()
    for n in range(3, 30):
        booked(cast.caseworker, case, tomorrow_at(8) + timedelta(days=n))
    assert measure() == few


def test_a_colleagues_case_in_the_same_organisation_shows_theirs_to_them(
    cast, make_person, client_as
):
    other = make_person(cast.caseworker, given_name="Robin")
    case = open_case(cast.safeguarding, other, worker=cast.safeguarding.user)
    appointment = booked(cast.safeguarding, case, tomorrow_at(9))
    detail = client_as(cast.caseworker).get(reverse("appointments:detail", args=[appointment.pk]))
    assert detail.status_code == 200


def test_booking_from_a_case_page_chooses_that_case(cast, person, case, make_person, client_as):
    other = make_person(cast.caseworker, given_name="Robin")
    open_case(cast.caseworker, other)
    client = client_as(cast.caseworker)
    detail = client.get(reverse("cases:detail", args=[case.pk]))
    book_url = f"{reverse('appointments:book', args=[person.pk])}?case={case.pk}"
    assert book_url in detail.text
    assert client.get(book_url).context["form"].initial["case"] == case.pk
