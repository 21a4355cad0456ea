import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resettle.accounts.models import Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.referrals.tests.conftest import refer
from resettle.registers import services
from resettle.registers.models import Attendance, Enrolment, Session, SessionNote
from resettle.registers.tests.conftest import make_session
from resettle.suitability.tests.conftest import record

pytestmark = pytest.mark.django_db


def register_url(session) -> str:
    return reverse("registers:register", args=[session.pk])


def test_the_register_lists_the_enrolled_with_their_restrictions(
    cast, client_as, today_session, enrolled
):
    record(cast.probation, enrolled, sessions_with_under_18s_present="no")
    page = client_as(cast.coordinator).get(register_url(today_session))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sam Okafor" in body
    assert "No sessions with under-18s present" in body
    assert 'name="mark"' in body


def test_a_tap_without_javascript_marks_once_even_when_posted_twice(
    cast, client_as, today_session, enrolled
):
    client = client_as(cast.coordinator)
    form = {"page_key": "page-1", "mark": f"{enrolled.pk}:attended"}
    first = client.post(register_url(today_session), form)
    again = client.post(register_url(today_session), form)
    assert first.status_code == 302 and again.status_code == 302
    assert Attendance.objects.get().status == "attended"


def test_a_refused_mark_shows_on_the_register(cast, client_as, service, make_person, agreement):
    session = make_session(service, open=False)
    stranger = make_person(cast.coordinator, given_name="Lee")
    page = client_as(cast.coordinator).post(
        register_url(session), {"page_key": "p", "mark": f"{stranger.pk}:attended"}
    )
    assert page.status_code == 200
    assert "not enrolled" in page.content.decode()
    assert not Attendance.objects.exists()


def test_marks_sent_from_the_phone_are_taken_once(cast, client_as, today_session, enrolled):
    client = client_as(cast.coordinator)
    url = reverse("registers:marks", args=[today_session.pk])
    body = json.dumps({"marks": [{"key": "x1", "person": str(enrolled.pk), "status": "late"}]})
    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")
    assert first.json()["results"][0]["new"] is True
    assert again.json()["results"][0]["new"] is False
    assert Attendance.objects.get().status == "late"
    bad = client.post(url, "not json", content_type="application/json")
    assert bad.status_code == 400


def test_marks_on_a_cancelled_session_are_422(cast, client_as, today_session, enrolled):
    today_session.cancelled_at = today_session.starts_at
    today_session.cancel_reason = "Storm"
    today_session.save()
    url = reverse("registers:marks", args=[today_session.pk])
    body = json.dumps({"marks": [{"key": "x1", "person": str(enrolled.pk), "status": "late"}]})
    answer = client_as(cast.coordinator).post(url, body, content_type="application/json")
    assert answer.status_code == 422 and "cancelled" in answer.json()["detail"]


@pytest.mark.parametrize("who", ["caseworker", "probation", "outsider", "admin"])
def test_others_cannot_open_the_register(cast, client_as, today_session, who):
    page = client_as(getattr(cast, who)).get(register_url(today_session))
    assert page.status_code == 404


def test_signed_out_is_sent_to_sign_in(client_as, today_session):
    page = client_as(None).get(register_url(today_session))
    assert page.status_code == 302 and "sign-in" in page["Location"]


def test_an_admin_of_the_trust_sees_the_session_but_not_its_register(
    cast, client_as, today_session
):
    trust_admin = make_membership(
        user=make_user(), organisation=cast.football_trust, role=Role.ORGANISATION_ADMIN
    )
    assert client_as(trust_admin).get(register_url(today_session)).status_code == 403


def test_headcount_and_a_concern_for_the_referrer(cast, client_as, today_session, enrolled):
    client = client_as(cast.coordinator)
    saved = client.post(
        reverse("registers:headcount", args=[today_session.pk]), {"unregistered_headcount": "3"}
    )
    assert saved.status_code == 302
    referral = refer(cast.probation, enrolled, today_session.service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    noted = client.post(
        reverse("registers:note_create", args=[today_session.pk]),
        {
            "person": str(enrolled.pk),
            "text": "Left upset",
            "concern": "on",
            "notify_referrer": "on",
        },
    )
    assert noted.status_code == 302
    assert SessionNote.objects.get().concern


def test_the_programme_page_shows_completion_and_award(
    cast, client_as, service, programme, enrolled
):
    enrolment = Enrolment.objects.get(person=enrolled)
    enrolment.programme = programme
    enrolment.save()
    page = client_as(cast.coordinator).get(reverse("registers:programme", args=[programme.pk]))
    assert page.status_code == 200
    assert "Sam Okafor" in page.content.decode()
    assert "OCN" in page.content.decode()


def test_the_session_list_shows_the_weeks_sessions(cast, client_as, today_session):
    page = client_as(cast.coordinator).get(reverse("registers:session_list"))
    assert page.status_code == 200 and "Tuesday football" in page.content.decode()


def test_completion_is_confirmed_by_the_coordinator(cast, client_as, programme, enrolled):
    enrolment = Enrolment.objects.get(person=enrolled)
    enrolment.programme = programme
    enrolment.save()
    url = reverse("registers:complete", args=[enrolment.pk])
    today = timezone.localdate()
    done = client_as(cast.coordinator).post(
        url,
        {
            "completed_on_day": today.day,
            "completed_on_month": today.month,
            "completed_on_year": today.year,
        },
    )
    assert done.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.state == "completed"


def test_an_enrolment_not_yours_is_404(cast, client_as, enrolled):
    enrolment = Enrolment.objects.get(person=enrolled)
    assert (
        client_as(cast.housing).get(reverse("registers:enrolment", args=[enrolment.pk])).status_code
        == 404
    )


def test_the_referrer_sees_their_persons_enrolment_under_the_agreement(cast, client_as, enrolled):
    enrolment = Enrolment.objects.get(person=enrolled)
    referral = refer(cast.probation, enrolled, enrolment.service)
    Enrolment.objects.filter(pk=enrolment.pk).update(referral=referral)
    page = client_as(cast.probation).get(reverse("registers:enrolment", args=[enrolment.pk]))
    assert page.status_code == 200


def test_someone_new_is_signed_up_enrolled_and_marked_at_an_open_session(
    cast, client_as, today_session
):
    answer = client_as(cast.coordinator).post(
        reverse("registers:sign_up", args=[today_session.pk]),
        {"given_name": "Nia", "family_name": "Walk", "reason": "Turned up with a friend"},
    )
    assert answer.status_code == 302
    attendance = Attendance.objects.get(person__given_name="Nia")
    assert attendance.status == "attended"
    enrolment = Enrolment.objects.get(person__given_name="Nia")
    assert enrolment.reason == "Turned up with a friend" and enrolment.referral is None


def test_a_registered_session_signs_up_nobody(cast, client_as, service):
    session = make_session(service, open=False)
    page = client_as(cast.coordinator).post(
        reverse("registers:sign_up", args=[session.pk]),
        {"given_name": "Nia", "family_name": "Walk", "reason": "Turned up"},
    )
    assert page.status_code == 200 and "Only an open session" in page.content.decode()
    assert not Enrolment.objects.exists()


def test_the_referrer_reads_a_concern_they_were_told_of_but_no_other_note(
    cast, client_as, today_session, enrolled
):
    enrolment = Enrolment.objects.get(person=enrolled)
    referral = refer(cast.probation, enrolled, enrolment.service)
    Enrolment.objects.filter(pk=enrolment.pk).update(referral=referral)
    for text, tell in (("Told: argued and left", True), ("Kept: quiet today", False)):
        services.session_note_record(
            actor=cast.coordinator,
            session=today_session,
            person=enrolled,
            text=text,
            concern=tell,
            notify_referrer=tell,
        )
    page = client_as(cast.probation).get(reverse("registers:enrolment", args=[enrolment.pk]))
    body = page.content.decode()
    assert "Told: argued and left" in body and "Kept: quiet today" not in body


@pytest.mark.parametrize("who, status", [("admin", 403), ("caseworker", 404), ("probation", 404)])
def test_marks_from_a_phone_are_refused_to_others(
    cast, client_as, today_session, enrolled, who, status
):
    trust_admin = make_membership(
        user=make_user(), organisation=cast.football_trust, role=Role.ORGANISATION_ADMIN
    )
    actor = trust_admin if who == "admin" else getattr(cast, who)
    url = reverse("registers:marks", args=[today_session.pk])
    body = json.dumps({"marks": [{"key": "x", "person": str(enrolled.pk), "status": "late"}]})
    answer = client_as(actor).post(url, body, content_type="application/json")
    assert answer.status_code == status
    assert not Attendance.objects.exists()


def test_the_coordinator_moves_a_session_to_another_evening(cast, client_as, service):
    session = make_session(service, days_from_now=3)
    day = timezone.localdate(session.starts_at) + timedelta(days=1)
    url = reverse("registers:move", args=[session.pk])
    form = {"on_day": day.day, "on_month": day.month, "on_year": day.year, "starts": "18:00"}
    backwards = client_as(cast.coordinator).post(url, form | {"ends": "17:00"})
    assert backwards.status_code == 200 and "must end after it starts" in backwards.content.decode()
    moved = client_as(cast.coordinator).post(url, form | {"ends": "19:30"})
    assert moved.status_code == 302
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).hour == 18 and session.moved_from is not None
    assert client_as(cast.caseworker).get(url).status_code == 404


def test_a_mark_for_an_id_that_is_not_one_is_400(cast, client_as, today_session):
    url = reverse("registers:marks", args=[today_session.pk])
    body = json.dumps({"marks": [{"key": "x", "person": "not-an-id", "status": "late"}]})
    answer = client_as(cast.coordinator).post(url, body, content_type="application/json")
    assert answer.status_code == 400 and "no such person" in answer.json()["detail"]


def test_the_coordinator_adds_a_one_off_session_and_makes_the_schedules(cast, client_as, service):
    client = client_as(cast.coordinator)
    listing = client.get(reverse("registers:session_list"))
    assert "make sessions from its schedule" in listing.content.decode()
    day = timezone.localdate() + timedelta(days=3)
    added = client.post(
        reverse("registers:session_create", args=[service.pk]),
        {
            "on_day": day.day,
            "on_month": day.month,
            "on_year": day.year,
            "starts": "10:00",
            "ends": "11:30",
            "place": "Indoor hall",
            "open": "on",
        },
    )
    assert added.status_code == 302
    one_off = Session.objects.get(place="Indoor hall")
    assert one_off.schedule is None and one_off.open
    made = client.post(reverse("registers:generate", args=[service.pk]), {"weeks": "2"})
    assert made.status_code == 302
    assert Session.objects.filter(schedule__isnull=False).count() == 2
    assert (
        client_as(cast.caseworker).get(reverse("registers:generate", args=[service.pk])).status_code
        == 403
    )


@pytest.mark.parametrize("asked", ["2026-02-30", "next tuesday", ""])
def test_the_session_list_shows_this_week_for_a_day_that_is_not_one(cast, client_as, asked):
    page = client_as(cast.coordinator).get(reverse("registers:session_list"), {"from": asked})
    assert page.status_code == 200
