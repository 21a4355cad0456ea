"""Need-to-know through the API: contact details are null unless shared with the caller's
organisation (by agreement, and consent where the agreement rests on it), changing them needs
the same, and every detail read goes in the audit trail."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.api.tests.conftest import add_person, assert_problem
from resettle.audit.models import AuditAction, AuditEvent
from resettle.partnerships.models import LawfulBasis
from resettle.people.models import Address, Person
from resettle.people.tests.sharing import make_agreement, make_consent

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people"
PHONE = "07700 900123"
LEAD = OrganisationKind.LEAD_CHARITY
TRUST = OrganisationKind.SPORT_TRUST


def detail(person: Person) -> str:
    return f"{PEOPLE}/{person.pk}"


def agreement(cast, *categories: str, kinds=(LEAD,), **options):
    return make_agreement(
        cast.partnership, owner=cast.lead_charity, categories=categories, kinds=kinds, **options
    )


@pytest.fixture
def sam(cast, make_person):
    """An adult the lead charity and the football trust work with, with contact details."""
    person = make_person(
        cast.caseworker, cast.coordinator, given_name="Sam", phone=PHONE, email="sam@example.com"
    )
    Address.objects.create(person=person, kind="home", line_1="1 Elm Road", postcode="SW1A 1AA")
    return person


def contact_of(body: dict) -> tuple:
    return body["phone"], body["email"], body["address"]


def reads(person: Person) -> list[str]:
    events = AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.READ)
    return list(events.order_by("id").values_list("category", flat=True))


def test_with_contact_shared_the_detail_gives_contact_details(api_as, cast, sam):
    agreement(cast, Category.CONTACT)
    body = api_as(cast.caseworker).get(detail(sam)).json()
    assert body["phone"] == PHONE
    assert body["email"] == "sam@example.com"
    assert body["address"]["line_1"] == "1 Elm Road"


def test_without_an_agreement_the_detail_gives_identity_and_null_contact(api_as, cast, sam):
    response = api_as(cast.caseworker).get(detail(sam))
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] == "Sam"
    assert contact_of(body) == (None, None, None)
    assert PHONE not in response.text and "Elm Road" not in response.text


def test_on_consent_contact_is_given_only_while_consent_covers_it(api_as, cast, sam):
    agreement(cast, Category.CONTACT, kinds=[TRUST], basis=LawfulBasis.CONSENT)
    api = api_as(cast.coordinator)
    assert api.get(detail(sam)).json()["phone"] is None
    consent = make_consent(sam, categories=[Category.CONTACT], kinds=[TRUST])
    assert api.get(detail(sam)).json()["phone"] == PHONE
    consent.withdrawn_on = date.today()
    consent.save()
    assert contact_of(api.get(detail(sam)).json()) == (None, None, None)


def test_an_expired_consent_no_longer_shares_contact(api_as, cast, sam):
    agreement(cast, Category.CONTACT, kinds=[TRUST], basis=LawfulBasis.CONSENT)
    make_consent(
        sam,
        categories=[Category.CONTACT],
        kinds=[TRUST],
        given_on=date.today() - timedelta(days=400),
        expires_on=date.today(),
    )
    assert api_as(cast.coordinator).get(detail(sam)).json()["phone"] is None


def test_an_ended_agreement_no_longer_shares_contact(api_as, cast, sam):
    agreement(
        cast,
        Category.CONTACT,
        starts_on=date.today() - timedelta(days=100),
        ends_on=date.today(),
    )
    assert api_as(cast.caseworker).get(detail(sam)).json()["phone"] is None


def test_the_detail_read_is_recorded_with_what_it_gave(api_as, cast, sam):
    api = api_as(cast.caseworker)
    api.get(detail(sam))
    agreement(cast, Category.CONTACT)
    api.get(detail(sam))
    assert reads(sam) == [Category.IDENTITY, Category.IDENTITY, Category.CONTACT]
    assert AuditEvent.objects.last().route == f"GET {detail(sam)}"


def test_a_person_not_visible_is_not_found_and_no_read_is_recorded(api_as, cast, sam):
    assert_problem(api_as(cast.housing).get(detail(sam)), 404)
    assert reads(sam) == []


# List


def test_the_list_gives_contact_only_for_people_whose_contact_is_shared(api_as, cast, sam):
    agreement(cast, Category.CONTACT, kinds=[TRUST], basis=LawfulBasis.CONSENT)
    make_consent(sam, categories=[Category.CONTACT], kinds=[TRUST])
    other = add_person(cast.coordinator, given_name="Ola", phone="01632 960000")
    results = {r["id"]: r for r in api_as(cast.coordinator).get(PEOPLE).json()["results"]}
    assert results[str(sam.pk)]["phone"] == PHONE
    assert results[str(sam.pk)]["address"]["postcode"] == "SW1A 1AA"
    assert contact_of(results[str(other.pk)]) == (None, None, None)
    # The contact details read are recorded; identity in a list is not a sensitive read.
    assert reads(sam) == [Category.CONTACT]
    assert reads(other) == []


def test_the_list_asks_once_however_many_people_share_contact(
    api_as, cast, make_person, django_assert_max_num_queries
):
    agreement(cast, Category.CONTACT, kinds=[TRUST], basis=LawfulBasis.CONSENT)

    def add(count: int) -> None:
        for n in range(count):
            person = make_person(cast.coordinator, family_name=f"Person{n}", phone=PHONE)
            make_consent(person, categories=[Category.CONTACT], kinds=[TRUST])

    api = api_as(cast.coordinator)
    add(2)
    with django_assert_max_num_queries(19) as few:  # as test_people's list, on PostgreSQL
        api.get(PEOPLE)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(PEOPLE).json()
    assert body["count"] == 12
    assert all(r["phone"] == PHONE for r in body["results"])


# Writes


def test_without_contact_shared_contact_details_cannot_be_changed(api_as, cast, sam):
    response = api_as(cast.caseworker).patch(detail(sam), {"phone": "0000"})
    assert "not shared" in assert_problem(response, 403)["detail"]
    sam.refresh_from_db()
    assert sam.phone == PHONE


def test_without_contact_shared_other_details_can_be_changed_and_contact_is_kept(api_as, cast, sam):
    response = api_as(cast.caseworker).patch(detail(sam), {"preferred_name": "Sammy"})
    assert response.status_code == 200
    assert response.json()["phone"] is None
    sam.refresh_from_db()
    assert (sam.preferred_name, sam.phone) == ("Sammy", PHONE)


def test_with_contact_shared_contact_details_can_be_changed(api_as, cast, sam):
    agreement(cast, Category.CONTACT)
    response = api_as(cast.caseworker).patch(detail(sam), {"phone": "01632 960001"})
    assert response.status_code == 200
    assert response.json()["phone"] == "01632 960001"


def test_an_organisation_with_no_contact_agreement_cannot_record_contact_details(api_as, cast):
    api = api_as(cast.caseworker)
    for sent in (
        {"phone": PHONE},
        {"address": {"kind": "home", "line_1": "1 Elm Road", "postcode": "SW1A 1AA"}},
    ):
        response = api.post(PEOPLE, {"given_name": "Ola", "family_name": "Reed"} | sent)
        assert_problem(response, 403)
    assert not Person.objects.exists()
    created = api.post(PEOPLE, {"given_name": "Ola", "family_name": "Reed"})
    assert created.status_code == 201
    assert contact_of(created.json()) == (None, None, None)


def test_contact_details_recorded_on_consent_show_once_consent_is_given(api_as, cast):
    agreement(cast, Category.CONTACT, basis=LawfulBasis.CONSENT)
    api = api_as(cast.caseworker)
    created = api.post(PEOPLE, {"given_name": "Ola", "family_name": "Reed", "phone": PHONE})
    assert created.status_code == 201
    assert created.json()["phone"] is None
    person = Person.objects.get()
    make_consent(person, categories=[Category.CONTACT], kinds=[LEAD])
    assert api.get(detail(person)).json()["phone"] == PHONE
