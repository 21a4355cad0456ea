from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.cases.models import CaseState, CloseReason
from resettle.contacts.models import Contact
from resettle.contacts.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def body(case, **changes) -> dict:
    return {
        "case": str(case.pk),
        "kind": "video",
        "happened_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "outcome": "attended",
        "duration_minutes": 30,
        "pathways": ["health"],
        "note": "Talked about sleep.",
    } | changes


def test_it_records_and_lists_contacts_with_the_designs_field_names(cast, person, api_as):
    case = open_case(cast.caseworker, person)
    api = api_as(cast.caseworker)
    payload = body(case)
    created = api.post("/api/v1/contacts", payload, headers={"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/contacts", payload, headers={"Idempotency-Key": "k1"})
    assert again.json()["id"] == created.json()["id"], again.content
    assert Contact.objects.count() == 1
    listed = api.get("/api/v1/contacts", {"person": str(person.pk)}).json()
    item = listed["results"][0]
    expected = {"id", "person", "case", "kind", "happened_at", "outcome", "duration_minutes"}
    assert expected <= set(item) and item["pathways"] == ["health"]
    assert item["note"] == "Talked about sleep." and listed["count"] == 1


def test_bad_input_is_400_and_a_closed_case_422(cast, person, api_as):
    case = open_case(cast.caseworker, person)
    api = api_as(cast.caseworker)
    future = api.post(
        "/api/v1/contacts",
        body(case, happened_at=(timezone.now() + timedelta(days=2)).isoformat()),
    )
    assert future.status_code == 400
    assert future.json()["errors"][0]["field"] == "happened_at"
    stray = api.post("/api/v1/contacts", body(case, cancelled_by="person"))
    assert stray.status_code == 400
    case.state, case.closed_on, case.close_reason = (
        CaseState.CLOSED,
        timezone.localdate(),
        CloseReason.OTHER,
    )
    case.save()
    assert api.post("/api/v1/contacts", body(case)).status_code == 422


def test_another_organisations_case_is_refused(cast, person, api_as):
    case = open_case(cast.family, person)
    assert api_as(cast.caseworker).post("/api/v1/contacts", body(case)).status_code == 400
    assert api_as(cast.outsider).post("/api/v1/contacts", body(case)).status_code == 400


def test_sensitive_contacts_are_not_shown_to_partners(cast, person, api_as):
    case = open_case(cast.caseworker, person)
    api_as(cast.caseworker).post("/api/v1/contacts", body(case, sensitive=True))
    secret = Contact.objects.get()
    assert api_as(cast.family).get(f"/api/v1/contacts/{secret.pk}").status_code == 404
    assert api_as(cast.family).get("/api/v1/contacts").json()["count"] == 0
