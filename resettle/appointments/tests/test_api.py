from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.appointments.models import Appointment
from resettle.appointments.tests.conftest import booked, tomorrow_at
from resettle.contacts.models import Contact

pytestmark = pytest.mark.django_db
URL = "/api/v1/appointments"


def body(on_case, **changes) -> dict:
    return {
        "case": str(on_case.pk),
        "kind": "gate_meeting",
        "starts_at": tomorrow_at(8).isoformat(),
        "minutes": 60,
        "place": "Gate of HMP Northshire",
    } | changes


def test_a_mentor_books_lists_and_reads_an_appointment(cast, person, mentor_case, api_as):
    api = api_as(cast.mentor)
    created = api.post(URL, body(mentor_case))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) >= {
        "id",
        "person",
        "case",
        "organisation",
        "with_user",
        "starts_at",
        "ends_at",
        "place",
        "kind",
        "state",
        "contact",
    }
    assert data["state"] == "booked" and data["with_user"] == cast.mentor.user.pk
    listed = api.get(URL, {"person": str(person.pk), "state": "booked"}).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == data["id"]
    later = api.get(URL, {"starts_after": (timezone.now() + timedelta(days=3)).isoformat()})
    assert later.json()["count"] == 0
    assert api.get(f"{URL}/{data['id']}").status_code == 200


def test_bad_input_is_a_problem_never_a_500(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    past = api.post(URL, body(case, starts_at=(timezone.now() - timedelta(days=1)).isoformat()))
    assert past.status_code == 400
    assert "record a contact instead" in past.json()["errors"][0]["message"]
    assert api.post(URL, body(case, minutes="long")).status_code == 400
    assert api.post(URL, body(case, kind="text")).status_code == 400
    assert api.post(URL, body(case, case="not-a-uuid")).status_code == 400
    assert api.post(URL, body(case, with_user=999999)).status_code == 400
    assert api.get(URL, {"starts_after": "yesterday"}).status_code == 400
    assert api.get(f"{URL}/not-an-id").status_code == 404
    assert not Appointment.objects.exists()


def test_double_booking_is_422_until_book_anyway(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    assert api.post(URL, body(case)).status_code == 201
    clash = api.post(URL, body(case))
    assert clash.status_code == 422 and "book_anyway" in clash.json()["detail"]
    assert api.post(URL, body(case, book_anyway=True)).status_code == 201


def test_actions_reschedule_cancel_and_record_the_outcome(cast, person, case, api_as):
    api = api_as(cast.caseworker)
    future = booked(cast.caseworker, case, tomorrow_at(9))
    moved = api.post(
        f"{URL}/{future.pk}/reschedule",
        {"starts_at": tomorrow_at(15).isoformat(), "minutes": 30, "reason": "Clash"},
    )
    assert moved.status_code == 200 and moved.json()["version"] == 2
    early = api.post(f"{URL}/{future.pk}/record-outcome", {"outcome": "attended"})
    assert early.status_code == 422
    cancelled = api.post(f"{URL}/{future.pk}/cancel", {"cancelled_by": "worker"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert api.post(f"{URL}/{future.pk}/cancel", {"cancelled_by": "worker"}).status_code == 422
    past = booked(cast.caseworker, case, timezone.now() - timedelta(hours=1))
    done = api.post(f"{URL}/{past.pk}/record-outcome", {"outcome": "attended"})
    assert done.status_code == 200
    assert done.json()["contact"] == str(Contact.objects.get().pk)
    again = api.post(f"{URL}/{past.pk}/record-outcome", {"outcome": "attended"})
    assert again.status_code == 422 and Contact.objects.count() == 1


def test_refusals_anonymous_outsider_and_partner(cast, person, case, api_as, share):
    appointment = booked(cast.caseworker, case, tomorrow_at(9))
    assert api_as(None).get(URL).status_code == 401
    outsider = api_as(cast.outsider)
    assert outsider.get(f"{URL}/{appointment.pk}").status_code == 404
    assert outsider.get(URL).json()["count"] == 0
    assert outsider.post(URL, body(case)).status_code == 400
    share(categories=["case_notes"], kinds=["mentoring"], basis="legitimate_interests")
    mentor = api_as(cast.mentor)
    assert mentor.get(f"{URL}/{appointment.pk}").status_code == 200
    refused = mentor.post(f"{URL}/{appointment.pk}/cancel", {"cancelled_by": "person"})
    assert refused.status_code == 403


def test_the_list_costs_the_same_queries_however_many(count_queries, cast, person, case, api_as):
    api = api_as(cast.caseworker)
    api.get(URL)

    def measure() -> int:
        with count_queries() as queries:
            assert api.get(URL).status_code == 200
        return len(queries)

    for n in range(3):
        booked(cast.caseworker, case, tomorrow_at(8) + timedelta(days=n))
    few = measure()
    for n in range(3, 30):
        booked(cast.caseworker, case, tomorrow_at(8) + timedelta(days=n))
    assert measure() == few
