"""The person's timeline over the API: the page's events from the same selector, newest first,
filtered by kind and by the policy (a recall's reason only where offence information is
shared); a 404 to whoever may not see the person, 401 without a token."""

import pytest

from resettle.audit.models import AuditEvent
from resettle.cases import services as case_services
from resettle.custody import services
from resettle.custody.selectors import person_timeline
from resettle.custody.tests.conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast, person):
    period = services.custody_period_record(
        actor=cast.probation,
        person=person,
        data={
            "kind": "sentence",
            "start_date": days(-200),
            "establishment": "HMP Northshire",
            "expected_release_date": days(-100),
        },
    )
    case_services.case_open(actor=cast.caseworker, person=person, opened_on=days(-150))
    period = services.custody_release(
        actor=cast.probation,
        period=period,
        released_on=days(-100),
        release_type="conditional",
        release_address="1 High Street",
    )
    services.custody_recall(
        actor=cast.probation,
        period=period,
        recalled_on=days(-10),
        recall_reason="breach_of_conditions",
    )
    return period


def url(person) -> str:
    return f"/api/v1/people/{person.pk}/timeline"


def test_it_answers_the_pages_events_newest_first(api_as, cast, person, history):
    page = person_timeline(actor=cast.caseworker, person=person)

    response = api_as(cast.caseworker).get(url(person), {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    assert [(e["on"], e["kind"], e["title"]) for e in body["results"]] == [
        (e.on.isoformat(), e.kind, e.title) for e in page
    ]
    assert {"Recalled to custody", "Case paused"} <= {e["title"] for e in body["results"]}
    assert body["count"] == len(page)


def test_it_filters_by_kind(api_as, cast, person, history):
    body = api_as(cast.caseworker).get(url(person), {"kind": ["case"]}).json()

    assert {e["kind"] for e in body["results"]} == {"case"}
    assert body["results"]


def test_a_recalls_reason_needs_offence_information(
    api_as, cast, person, history, offence_agreement
):
    def recall(actor) -> dict:
        body = api_as(actor).get(url(person), {"kind": ["custody"]}).json()
        return next(e for e in body["results"] if e["title"] == "Recalled to custody")

    assert recall(cast.probation)["lines"] == ["Reason: Breach of licence conditions"]
    assert recall(cast.caseworker)["lines"] == []


def test_reading_a_partners_records_on_it_is_audited(api_as, cast, person, history):
    api_as(cast.caseworker).get(url(person))

    assert AuditEvent.objects.filter(
        user_id=cast.caseworker.user.pk, person_id=person.pk, action="read"
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "analyst", "family"])
def test_it_is_a_404_to_whoever_may_not_see_the_person(api_as, cast, person, history, who):
    assert api_as(getattr(cast, who)).get(url(person)).status_code == 404


def test_it_needs_a_token(api_as, person):
    assert api_as(None).get(url(person)).status_code == 401


def test_an_unknown_kind_is_invalid(api_as, cast, person):
    assert api_as(cast.caseworker).get(url(person), {"kind": ["gossip"]}).status_code == 400
