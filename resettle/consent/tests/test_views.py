"""A person's consent pages: the list, recording consent and withdrawing it, and who may."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.partnerships.tests.factories import make_consent
from resettle.people.models import Person, WorkingRelationship

pytestmark = pytest.mark.django_db

TODAY = date.today()


def list_url(person: Person) -> str:
    return reverse("consent:person_consents", args=[person.pk])


def record_url(person: Person) -> str:
    return reverse("consent:record", args=[person.pk])


def withdraw_url(consent: Consent) -> str:
    return reverse("consent:withdraw", args=[consent.person_id, consent.pk])


def consent_post(**changes) -> dict:
    """What the record-consent form sends."""
    data = {
        "categories": [Category.HEALTH],
        "organisation_kinds": [OrganisationKind.HOUSING],
        "organisations": [],
        "method": ConsentMethod.VERBAL,
        "given_by": ConsentGivenBy.PERSON,
        "given_by_name": "",
        "given_on_day": str(TODAY.day),
        "given_on_month": str(TODAY.month),
        "given_on_year": str(TODAY.year),
        "expires_on_day": "",
        "expires_on_month": "",
        "expires_on_year": "",
        "notes": "",
    }
    return data | changes


@pytest.fixture
def person(cast, make_person) -> Person:
    """Worked with by the lead charity and allocated to the mentor."""
    return make_person(cast.caseworker, cast.mentor, given_name="Robin", family_name="Hale")


# The list


def test_the_page_lists_consents_current_first_with_their_status(client_as, cast, person):
    make_consent(
        person=person,
        recorded_by=cast.caseworker,
        given_on=TODAY - timedelta(days=5),
        withdrawn_on=TODAY - timedelta(days=1),
    )
    make_consent(
        person=person,
        recorded_by=cast.caseworker,
        given_on=TODAY - timedelta(days=400),
        organisation_kinds=[OrganisationKind.HOUSING],
        organisations=[cast.football_trust],
    )
    make_consent(
        person=person,
        recorded_by=cast.caseworker,
        given_on=TODAY - timedelta(days=3),
        expires_on=TODAY,
    )

    response = client_as(cast.caseworker).get(list_url(person))

    assert response.status_code == 200
    # Current first, then the rest newest first.
    assert [c.status for c in response.context["consents"]] == ["current", "expired", "withdrawn"]
    text = response.text
    for shown in ("Current", "Withdrawn", "Expired", "Any housing organisation"):
        assert shown in text
    assert "Northshire Town Community Trust" in text
    assert 'aria-current="page">Consent</a>' in text
    assert "Record consent" in text


def test_the_list_takes_the_same_number_of_queries_for_more_consents(
    client_as, cast, person, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for _ in range(count):
            make_consent(
                person=person,
                recorded_by=cast.caseworker,
                organisations=[cast.football_trust, cast.housing_provider],
            )

    client = client_as(cast.caseworker)
    add(2)
    with django_assert_max_num_queries(40) as few:
        client.get(list_url(person))
    add(8)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(person))

    assert len(response.context["consents"]) == 10


def test_an_allocated_mentor_sees_consents_but_cannot_record_them(client_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker)
    client = client_as(cast.mentor)

    response = client.get(list_url(person))

    assert response.status_code == 200
    assert "Record consent" not in response.text
    assert "Withdraw" not in response.text
    assert client.get(record_url(person)).status_code == 403
    assert client.post(withdraw_url(consent)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client_as, person):
    response = client_as(None).get(list_url(person))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "analyst", "housing"])
def test_people_who_cannot_see_the_person_get_not_found(client_as, cast, person, who):
    consent = make_consent(person=person, recorded_by=cast.caseworker)
    client = client_as(getattr(cast, who))

    assert client.get(list_url(person)).status_code == 404
    assert client.get(record_url(person)).status_code == 404
    assert client.post(record_url(person), consent_post()).status_code == 404
    assert client.post(withdraw_url(consent)).status_code == 404
    assert not Consent.objects.filter(withdrawn_on__isnull=False).exists()


def test_a_mentor_not_allocated_the_person_gets_not_found(client_as, cast, make_person):
    person = make_person(cast.caseworker)
    # Their charity works with the person, but no mentor is allocated to them.
    WorkingRelationship.objects.create(
        person=person, organisation=cast.mentoring_charity, started_on=TODAY
    )

    assert client_as(cast.mentor).get(list_url(person)).status_code == 404


def test_a_consent_of_someone_else_is_not_found_under_this_person(
    client_as, cast, person, make_person
):
    other = make_person(cast.caseworker, given_name="Other")
    consent = make_consent(person=other, recorded_by=cast.caseworker)

    url = reverse("consent:withdraw", args=[person.pk, consent.pk])

    assert client_as(cast.caseworker).get(url).status_code == 404


# Recording


def test_caseworker_records_consent(client_as, cast, person):
    client = client_as(cast.caseworker)
    assert client.get(record_url(person)).status_code == 200

    response = client.post(
        record_url(person),
        consent_post(
            categories=[Category.HEALTH, Category.CONTACT],
            organisations=[str(cast.football_trust.pk)],
            method=ConsentMethod.WRITTEN,
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(person)
    consent = Consent.objects.get()
    assert consent.categories == [Category.CONTACT, Category.HEALTH]
    assert list(consent.organisations.all()) == [cast.football_trust]
    assert consent.recorded_by == cast.caseworker.user


def test_the_form_offers_only_partnership_organisations(client_as, cast, person):
    form = client_as(cast.caseworker).get(record_url(person)).context["form"]

    offered = {value for value, _ in form.fields["organisations"].choices}
    assert str(cast.football_trust.pk) in offered
    assert str(cast.outside_organisation.pk) not in offered


def test_a_missing_answer_is_shown_by_its_field(client_as, cast, person):
    response = client_as(cast.caseworker).post(
        record_url(person), consent_post(categories=[], organisation_kinds=[])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["categories"] == [
        "Choose at least one kind of information"
    ]
    assert not Consent.objects.exists()


def test_a_childs_consent_given_as_an_adult_shows_why_it_is_refused(client_as, cast, make_person):
    child = make_person(cast.caseworker, date_of_birth=date(TODAY.year - 13, 1, 1))

    response = client_as(cast.caseworker).post(record_url(child), consent_post())

    assert response.status_code == 200
    errors = response.context["form"].errors["given_by"]
    assert errors == [
        "A child's consent needs someone with parental responsibility, "
        "or an assessment that the child is competent to decide"
    ]
    assert 'id="id_given_by-error"' in response.text
    assert 'href="#id_given_by"' in response.text  # from the error summary
    assert not Consent.objects.exists()


def test_someone_with_parental_responsibility_consents_for_a_child_on_the_page(
    client_as, cast, make_person
):
    child = make_person(cast.caseworker, date_of_birth=date(TODAY.year - 13, 1, 1))
    client = client_as(cast.caseworker)
    assert "is under 18" in client.get(record_url(child)).text

    response = client.post(
        record_url(child),
        consent_post(given_by=ConsentGivenBy.PARENTAL_RESPONSIBILITY, given_by_name="Alex Hale"),
    )

    assert response.status_code == 302
    assert Consent.objects.get().given_by_name == "Alex Hale"


# Withdrawing


def test_withdrawing_asks_for_confirmation_then_withdraws_today(client_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker)
    client = client_as(cast.caseworker)

    confirm = client.get(withdraw_url(consent))
    assert confirm.status_code == 200
    assert "Are you sure you want to withdraw this consent?" in confirm.text
    assert 'class="govuk-button govuk-button--warning"' in confirm.text
    consent.refresh_from_db()
    assert consent.withdrawn_on is None

    response = client.post(withdraw_url(consent))

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.withdrawn_recorded_by == cast.caseworker.user


def test_withdrawing_twice_says_why_not(client_as, cast, person):
    consent = make_consent(person=person, recorded_by=cast.caseworker, withdrawn_on=TODAY)

    response = client_as(cast.caseworker).post(withdraw_url(consent))

    assert response.status_code == 200
    assert "This consent has already been withdrawn" in response.text


def test_withdrawing_on_the_page_hides_the_category_from_the_partner_at_once(
    client_as, cast, person, health_by_consent
):
    WorkingRelationship.objects.create(
        person=person, organisation=cast.housing_provider, started_on=TODAY
    )
    consent = make_consent(
        person=person, recorded_by=cast.caseworker, organisation_kinds=[OrganisationKind.HOUSING]
    )
    housing = cast.housing
    assert policy.can_view_category(housing, person, Category.HEALTH)

    client_as(cast.caseworker).post(withdraw_url(consent))

    assert not policy.can_view_category(housing, person, Category.HEALTH)
    assert "Health" not in client_as(cast.housing).get(list_url(person)).context["visible_labels"]
