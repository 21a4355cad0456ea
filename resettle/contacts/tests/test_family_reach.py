"""A family-support worker plans around a parent's release without working with the parent: the
parent's own consent shares their release and licence dates with the organisations supporting
their family, and nothing else. A safeguarding lead who breaks glass on someone's family
information is told who their relatives are."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettle.access import services as access_services
from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.audit.models import AuditEvent
from resettle.consent.models import ConsentGivenBy
from resettle.contacts.tests.conftest import open_case, signed_in
from resettle.custody.models import CustodyKind, CustodyPeriod
from resettle.partnerships.models import LawfulBasis
from resettle.people.choices import ContactWishes
from resettle.people.tests.sharing import make_agreement, make_consent, make_relationship

pytestmark = pytest.mark.django_db

RELEASE = date.today() + timedelta(days=40)


@pytest.fixture
def family(cast, make_person):
    """Mia, whom the family charity supports, and her father Dean, in prison and worked with by
    the lead charity and probation only. The family charity has her family information."""
    child = make_person(cast.family, given_name="Mia", family_name="Holt")
    parent = make_person(cast.caseworker, cast.probation, given_name="Dean", family_name="Holt")
    make_relationship(child, parent, "parent")
    CustodyPeriod.objects.create(
        person=parent,
        kind=CustodyKind.SENTENCE,
        start_date=date.today() - timedelta(days=300),
        establishment="HMP Northshire",
        expected_release_date=RELEASE,
        recorded_by=cast.probation.user,
    )
    open_case(cast.caseworker, parent)
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN, Category.CUSTODY, Category.CASE_NOTES],
        kinds=[OrganisationKind.FAMILY_SUPPORT, OrganisationKind.LEAD_CHARITY],
        basis=LawfulBasis.CONSENT,
    )
    make_consent(
        child, categories=[Category.FAMILY_CHILDREN], kinds=[OrganisationKind.FAMILY_SUPPORT]
    )
    return child, parent


def _family_view(actor, person) -> str:
    response = signed_in(actor).get(reverse("contacts:family_support", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_with_the_parents_consent_the_family_worker_sees_their_release_date_only(cast, family):
    child, parent = family
    make_consent(
        parent,
        categories=[Category.CUSTODY, Category.CASE_NOTES],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )

    body = _family_view(cast.family, child)

    assert "Dean Holt" in body
    assert "In custody" in body and "HMP Northshire" in body
    assert RELEASE.strftime("%-d %B %Y") in body
    assert "agreed to share their release and licence dates" in body
    # Only the dates: not the parent's cases (case notes are not shared through the family).
    assert "New Leaf Northshire" not in body
    reads = AuditEvent.objects.filter(person_id=parent.pk, category=Category.CUSTODY)
    assert reads.filter(organisation_id=cast.family_charity.pk).exists()


def test_without_the_parents_consent_nothing_of_them_shows(cast, family):
    child, parent = family
    make_consent(parent, categories=[Category.CASE_NOTES], kinds=[OrganisationKind.FAMILY_SUPPORT])

    body = _family_view(cast.family, child)

    assert not re.search(r"\bDean\b", body) and "HMP Northshire" not in body
    assert "Not shared with your organisation" in body


def test_consent_withdrawn_ends_it(cast, family):
    child, parent = family
    make_consent(
        parent,
        categories=[Category.CUSTODY],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
        withdrawn_on=date.today() - timedelta(days=1),
    )

    assert "Dean" not in _family_view(cast.family, child)


def test_no_agreement_giving_custody_means_no_dates_even_with_consent(cast, make_person):
    child = make_person(cast.family, given_name="Mia", family_name="Holt")
    parent = make_person(cast.caseworker, given_name="Dean", family_name="Holt")
    make_relationship(child, parent, "parent")
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN],
        kinds=[OrganisationKind.FAMILY_SUPPORT],
    )
    make_consent(parent, categories=[Category.CUSTODY], kinds=[OrganisationKind.FAMILY_SUPPORT])

    assert "Dean" not in _family_view(cast.family, child)


def test_a_relative_who_wants_no_contact_is_never_reached(cast, family):
    child, parent = family
    make_consent(parent, categories=[Category.CUSTODY], kinds=[OrganisationKind.FAMILY_SUPPORT])
    child.relationships.filter(related_person=parent).update(
        contact_wishes=ContactWishes.NO_CONTACT
    )

    body = _family_view(cast.family, child)

    assert not re.search(r"\bDean\b", body) and "No contact wanted" in body


def test_the_family_link_does_not_open_the_parents_record(client_as, api_as, cast, family):
    _child, parent = family
    make_consent(parent, categories=[Category.CUSTODY], kinds=[OrganisationKind.FAMILY_SUPPORT])
    client = client_as(cast.family)

    assert client.get(reverse("people:detail", args=[parent.pk])).status_code == 404
    assert client.get(reverse("custody:person", args=[parent.pk])).status_code == 404
    assert "Dean" not in client.get(reverse("people:list"), {"q": "Holt"}).content.decode()
    api = api_as(cast.family)
    assert api.get(f"/api/v1/people/{parent.pk}").status_code == 404
    assert api.get("/api/v1/custody-periods", {"person": str(parent.pk)}).status_code == 404


def test_a_childs_dates_are_not_shared_through_the_family_beyond_family_services(cast, make_person):
    """The lead charity supports the mother; her son is 16: his record stays with family
    services, whatever consent says."""
    mother = make_person(cast.caseworker, given_name="Ann", family_name="Holt")
    son = make_person(
        given_name="Sam", family_name="Holt", date_of_birth=date.today() - timedelta(days=16 * 365)
    )
    make_relationship(mother, son, "child")
    CustodyPeriod.objects.create(
        person=son,
        kind=CustodyKind.REMAND,
        start_date=date.today() - timedelta(days=20),
        establishment="HMYOI Eastgate",
        recorded_by=cast.probation.user,
    )
    make_agreement(
        cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.FAMILY_CHILDREN, Category.CUSTODY],
        kinds=[OrganisationKind.LEAD_CHARITY],
    )
    make_consent(
        son,
        categories=[Category.CUSTODY],
        kinds=[OrganisationKind.LEAD_CHARITY],
        given_by=ConsentGivenBy.COMPETENCE_ASSESSED,
    )

    body = _family_view(cast.caseworker, mother)

    assert not re.search(r"\bSam\b", body) and "Eastgate" not in body


def test_break_glass_on_family_information_names_the_relatives(cast, make_person):
    parent = make_person(cast.safeguarding, given_name="Dean", family_name="Holt")
    child = make_person(
        cast.family,
        given_name="Mia",
        family_name="Holt",
        date_of_birth=date.today() - timedelta(days=9 * 365),
    )
    make_relationship(parent, child, "child")
    url = reverse("contacts:family_support", args=[parent.pk])
    assert "not shared with your organisation" in _family_view(cast.safeguarding, parent)

    access_services.break_glass_open(
        actor=cast.safeguarding,
        person=parent,
        category=Category.FAMILY_CHILDREN,
        reason="Disclosure at today's appointment about the children's safety at home.",
        hours=1,
    )
    body = signed_in(cast.safeguarding).get(url).content.decode()

    assert "Mia Holt" in body and "Under 18" in body and "Break-glass" in body
    # Named, not opened: the child's own record is still the family charity's.
    client = signed_in(cast.safeguarding)
    assert client.get(reverse("people:detail", args=[child.pk])).status_code == 404
