from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.referrals.tests.conftest import refer
from resettle.registers.models import Attendance, Enrolment, Session
from resettle.registers.tests.conftest import make_session

pytestmark = pytest.mark.django_db


def marks_url(session) -> str:
    return f"/api/v1/sessions/{session.pk}/attendance"


def test_a_register_sent_twice_is_counted_once_and_says_which_were_new(
    cast, api_as, today_session, enrolled
):
    api = api_as(cast.coordinator)
    body = {"marks": [{"key": "m1", "person": str(enrolled.pk), "status": "attended"}]}
    first = api.post(marks_url(today_session), body)
    assert first.status_code == 200, first.content
    again = api.post(
        marks_url(today_session),
        {
            "marks": [
                body["marks"][0],
                {"key": "m2", "person": str(enrolled.pk), "status": "left_early"},
            ]
        },
    )
    assert [r["new"] for r in first.json()["results"]] == [True]
    assert [r["new"] for r in again.json()["results"]] == [False, True]
    assert Attendance.objects.get().status == "left_early"
    listed = api.get(marks_url(today_session)).json()
    assert listed["count"] == 1
    assert set(listed["results"][0]) >= {"id", "session", "person", "status"}


def test_bad_marks_are_4xx_and_change_nothing(cast, api_as, today_session, enrolled):
    api = api_as(cast.coordinator)
    bad_status = api.post(
        marks_url(today_session),
        {"marks": [{"key": "k", "person": str(enrolled.pk), "status": "asleep"}]},
    )
    assert bad_status.status_code == 400
    nobody = api.post(
        marks_url(today_session),
        {
            "marks": [
                {"key": "k", "person": "00000000-0000-0000-0000-000000000000", "status": "late"}
            ]
        },
    )
    assert nobody.status_code == 400
    empty = api.post(marks_url(today_session), {"marks": []})
    assert empty.status_code == 400
    today_session.cancelled_at = timezone.now()
    today_session.cancel_reason = "Storm"
    today_session.save()
    cancelled = api.post(
        marks_url(today_session),
        {"marks": [{"key": "k", "person": str(enrolled.pk), "status": "late"}]},
    )
    assert cancelled.status_code == 422
    assert not Attendance.objects.exists()


def test_others_get_404_and_signed_out_401(cast, api_as, today_session, enrolled):
    body = {"marks": [{"key": "k", "person": str(enrolled.pk), "status": "late"}]}
    assert api_as(cast.caseworker).post(marks_url(today_session), body).status_code == 404
    assert api_as(cast.probation).get(f"/api/v1/sessions/{today_session.pk}").status_code == 404
    assert api_as(None).get("/api/v1/sessions").status_code == 401


def test_sessions_list_filter_detail_create_and_cancel(cast, api_as, service):
    api = api_as(cast.coordinator)
    make_session(service, days_from_now=2)
    today = timezone.localdate()
    listed = api.get("/api/v1/sessions", {"service": str(service.pk), "on": str(today)}).json()
    assert listed["count"] == 0
    starts = timezone.now() + timedelta(days=5)
    created = api.post(
        "/api/v1/sessions",
        {
            "service": str(service.pk),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "place": "Astro pitch",
            "open": True,
            "capacity": 12,
        },
        headers={"Idempotency-Key": "s1"},
    )
    assert created.status_code == 201, created.content
    item = created.json()
    expected = {"id", "service", "programme", "starts_at", "ends_at", "place", "capacity"}
    assert expected | {"open", "unregistered_headcount", "cancelled"} <= set(item)
    backwards = api.post(
        "/api/v1/sessions",
        {
            "service": str(service.pk),
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=2)).isoformat(),
        },
    )
    assert backwards.status_code == 400
    cancelled = api.post(f"/api/v1/sessions/{item['id']}/cancel", {"reason": "No coach"})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    again = api.post(f"/api/v1/sessions/{item['id']}/cancel", {"reason": "No coach"})
    assert again.status_code == 422
    assert Session.objects.count() == 2
    caseworker = api_as(cast.caseworker).post(
        "/api/v1/sessions",
        {
            "service": str(service.pk),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        },
    )
    assert caseworker.status_code == 403


def test_programmes_and_enrolments(cast, api_as, service, programme, enrolled):
    api = api_as(cast.coordinator)
    programmes = api.get("/api/v1/programmes", {"service": str(service.pk)}).json()
    assert programmes["results"][0]["award"]["awarding_body"] == "OCN"
    assert programmes["results"][0]["completion_rule"] == "at_least"
    enrolments = api.get("/api/v1/enrolments", {"person": str(enrolled.pk)}).json()
    item = enrolments["results"][0]
    assert {"id", "person", "service", "programme", "referral", "state", "enrolled_on"} <= set(item)
    completed = api.post(f"/api/v1/enrolments/{item['id']}/complete", {})
    assert completed.status_code == 200 and completed.json()["state"] == "completed"
    again = api.post(f"/api/v1/enrolments/{item['id']}/complete", {})
    assert again.status_code == 422


def test_the_referrer_reads_their_persons_enrolment_and_attendance(
    cast, api_as, service, today_session, enrolled
):
    referral = refer(cast.probation, enrolled, service)
    Enrolment.objects.filter(person=enrolled).update(referral=referral)
    api_as(cast.coordinator).post(
        marks_url(today_session),
        {"marks": [{"key": "k", "person": str(enrolled.pk), "status": "attended"}]},
    )
    probation = api_as(cast.probation)
    assert probation.get("/api/v1/enrolments").json()["count"] == 1
    assert probation.get(marks_url(today_session)).json()["count"] == 1
    assert api_as(cast.housing).get("/api/v1/enrolments").json()["count"] == 0


def test_enrolling_without_a_referral_needs_a_reason(cast, api_as, service, make_person, agreement):
    person = make_person(cast.coordinator, given_name="Lee")
    api = api_as(cast.coordinator)
    missing = api.post("/api/v1/enrolments", {"person": str(person.pk), "service": str(service.pk)})
    assert missing.status_code == 400
    made = api.post(
        "/api/v1/enrolments",
        {"person": str(person.pk), "service": str(service.pk), "reason": "Came along"},
    )
    assert made.status_code == 201, made.content
    twice = api.post(
        "/api/v1/enrolments",
        {"person": str(person.pk), "service": str(service.pk), "reason": "Came along"},
    )
    assert twice.status_code == 422


def test_a_programme_is_set_up_by_the_services_planners(cast, api_as, service):
    body = {
        "service": str(service.pk),
        "name": "Coaching course",
        "sessions_planned": 8,
        "completion_rule": "core_sessions",
        "core_sessions": [1, 8],
        "award_name": "Level 1 coaching",
    }
    made = api_as(cast.coordinator).post("/api/v1/programmes", body)
    assert made.status_code == 201, made.content
    assert made.json()["core_sessions"] == [1, 8]
    wrong = api_as(cast.coordinator).post("/api/v1/programmes", body | {"core_sessions": [9]})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "core_sessions"
    assert api_as(cast.caseworker).post("/api/v1/programmes", body).status_code == 403


def test_a_session_is_moved_over_the_api(cast, api_as, service):
    session = make_session(service, days_from_now=2)
    starts = session.starts_at + timedelta(days=1)
    url = f"/api/v1/sessions/{session.pk}/move"
    body = {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()}
    moved = api_as(cast.coordinator).post(url, body)
    assert moved.status_code == 200, moved.content
    assert moved.json()["moved_from"] is not None
    backwards = api_as(cast.coordinator).post(
        url, body | {"ends_at": (starts - timedelta(hours=1)).isoformat()}
    )
    assert backwards.status_code == 400
    assert api_as(cast.caseworker).post(url, body).status_code == 404
