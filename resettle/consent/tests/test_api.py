"""/api/v1/consents: listing, reading, recording and withdrawing consent, under the same rules
as the pages."""

from datetime import date, timedelta

import pytest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.tests.conftest import assert_problem, error_fields
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.partnerships.tests.factories import make_consent
from resettle.people.models import Person

pytestmark = pytest.mark.django_db

TODAY = date.today()
CONSENTS = "/api/v1/consents"


def detail(consent: Consent) -> str:
    return f"{CONSENTS}/{consent.pk}"


def withdraw(consent: Consent) -> str:
    return f"{CONSENTS}/{consent.pk}/withdraw"


def consent_body(person: Person, **changes) -> dict:
    body = {
        "person": str(person.pk),
        "categories": [Category.HEALTH],
        "organisation_kinds": [OrganisationKind.HOUSING],
        "method": ConsentMethod.DIGITAL,
        "given_by": ConsentGivenBy.PERSON,
        "given_on": TODAY.isoformat(),
    }
    return body | changes


@pytest.fixture
def person(cast, make_person) -> Person:
    return make_person(cast.caseworker, cast.mentor, cast.housing)


# Reading


def test_the_list_shows_consents_of_people_the_actor_may_see(api_as, cast, person, make_person):
    mine = make_consent(person=person, recorded_by=cast.caseworker)
    elsewhere = make_person(cast.outsider)
    make_consent(person=elsewhere, recorded_by=cast.outsider)

    body = api_as(cast.caseworker).get(CONSENTS).json()

    assert body["count"] == 1
    [consent] = body["results"]
    assert consent["id"] == str(mine.pk)
    assert consent["status"] == "current"
    assert consent["person"] == str(person.pk)
    assert consent["recorded_by_organisation"] == str(cast.lead_charity.pk)


def test_the_list_filters_by_person(api_as, cast, person, make_person):
    other = make_person(cast.caseworker, given_name="Other")
    make_consent(person=person, recorded_by=cast.caseworker)
    make_consent(person=other, recorded_by=cast.caseworker)

    body = api_as(cast.caseworker).get(CONSENTS, {"person": str(other.pk)}).json()

    assert [c["person"] for c in body["results"]] == [str(other.pk)]


def test_filtering_by_someone_the_actor_cannot_see_is_a_404(api_as, cast, make_person):
    hidden = make_person(cast.outsider)
    make_consent(person=hidden, recorded_by=cast.outsider)

    response = api_as(cast.caseworker).get(CONSENTS, {"person": str(hidden.pk)})

    assert response.status_code == 404


def test_the_list_takes_the_same_number_of_queries_for_more_consents(
    api_as, cast, person, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            make_consent(
                person=person,
                recorded_by=cast.caseworker,
                organisations=[cast.football_trust, cast.family_charity],
            )

    api = api_as(cast.caseworker)
    add(2)
    with django_assert_max_num_queries(20) as few:
        api.get(CONSENTS)
    add(8)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(CONSENTS)

    assert response.json()["count"] == 10


def test_a_consent_is_read_by_id(api_as, cast, person):
    consent = make_consent(
        person=person, recorded_by=cast.caseworker, organisations=[cast.football_trust]
    )

    body = api_as(cast.mentor).get(detail(consent)).json()

    assert body["organisations"] == [str(cast.football_trust.pk)]
    assert body["categories"] == ["health"]


@pytest.mark.parametrize("who", ["outsider", "analyst", "coordinator"])
def test_a_consent_of_someone_the_actor_cannot_see_is_not_found(api_as, cast, person, who):
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    assert_problem(api_as(getattr(cast, who)).get(detail(consent)), 404)


def test_reading_consents_needs_a_token(api_as, person):
    assert_problem(api_as(None).get(CONSENTS), 401)


# Recording


def test_caseworker_records_consent(api_as, cast, person):
    response = api_as(cast.caseworker).post(
        CONSENTS, consent_body(person, organisations=[str(cast.football_trust.pk)])
    )

    assert response.status_code == 201, response.content
    body = response.json()
    consent = Consent.objects.get()
    assert body["id"] == str(consent.pk)
    assert response["Location"].endswith(detail(consent))
    assert body["organisations"] == [str(cast.football_trust.pk)]
    assert body["recorded_by"] == str(cast.caseworker.user)


def test_retrying_with_the_same_idempotency_key_records_once(api_as, cast, person):
    api = api_as(cast.caseworker)
    headers = {"Idempotency-Key": "consent-1"}

    first = api.post(CONSENTS, consent_body(person), headers=headers)
    again = api.post(CONSENTS, consent_body(person), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Consent.objects.count() == 1


def test_a_childs_own_consent_is_invalid(api_as, cast, make_person):
    child = make_person(cast.caseworker, date_of_birth=date(TODAY.year - 10, 1, 1))

    response = api_as(cast.caseworker).post(CONSENTS, consent_body(child))

    assert error_fields(response) == {"given_by"}
    assert not Consent.objects.exists()


def test_unknown_categories_are_invalid(api_as, cast, person):
    response = api_as(cast.caseworker).post(
        CONSENTS, consent_body(person, categories=["shoe_size"])
    )

    assert error_fields(response) == {"categories.0"}


def test_an_organisation_outside_the_partnerships_is_invalid(api_as, cast, person):
    response = api_as(cast.caseworker).post(
        CONSENTS, consent_body(person, organisations=[str(cast.outside_organisation.pk)])
    )

    assert error_fields(response) == {"organisations"}


def test_recording_for_someone_the_actor_cannot_see_is_not_found(api_as, cast, make_person):
    hidden = make_person(cast.outsider)

    assert_problem(api_as(cast.caseworker).post(CONSENTS, consent_body(hidden)), 404)
    assert not Consent.objects.exists()


def test_a_mentor_may_not_record_consent(api_as, cast, person):
    assert_problem(api_as(cast.mentor).post(CONSENTS, consent_body(person)), 403)


# Withdrawing


def test_withdrawing_through_the_api_hides_the_category_at_once(
    api_as, cast, person, health_by_consent
):
    consent = make_consent(
        person=person, recorded_by=cast.caseworker, organisation_kinds=[OrganisationKind.HOUSING]
    )
    housing = cast.housing
    assert Category.HEALTH in policy.categories_visible(housing, person)

    response = api_as(cast.caseworker).post(withdraw(consent), {})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn_on"] == TODAY.isoformat()
    assert Category.HEALTH not in policy.categories_visible(housing, person)


def test_withdrawing_twice_is_refused(api_as, cast, person):
    consent = make_consent(
        person=person, recorded_by=cast.caseworker, withdrawn_on=TODAY - timedelta(days=1)
    )

    body = assert_problem(api_as(cast.caseworker).post(withdraw(consent), {}), 422)

    assert "already been withdrawn" in body["detail"]


def test_a_mentor_may_not_withdraw_consent(api_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    assert_problem(api_as(cast.mentor).post(withdraw(consent), {}), 403)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_withdrawing_someone_elses_consent_is_not_found(api_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    assert_problem(api_as(cast.outsider).post(withdraw(consent), {}), 404)


def test_withdrawing_is_a_post(api_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker)

    assert api_as(cast.caseworker).get(withdraw(consent)).status_code == 405
