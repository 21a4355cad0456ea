"""The demo's sharing agreements and consents, and what they let each demo login see."""

from datetime import date

import pytest

from resettle.access import policy
from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind, Role
from resettle.consent.models import Consent, ConsentGivenBy
from resettle.demo.generator import delete_demo, generate
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.people.models import WorkingRelationship

from .conftest import SMALL_DEMO

FIXED_TODAY = date(2026, 11, 23)


def test_the_partnership_has_six_agreements_owned_by_the_lead_charity(demo):
    agreements = {a.document_reference: a for a in SharingAgreement.objects.all()}
    # Five from the sharing agreements step; the sixth permits the evaluation files.
    assert len(agreements) == 6
    assert {a.owner.kind for a in agreements.values()} == {OrganisationKind.LEAD_CHARITY}
    assert all(ref.startswith("NVRP-ISA-20") for ref in agreements)
    statutory = SharingAgreement.objects.get(title="Statutory supervision and release planning")
    assert statutory.lawful_basis == LawfulBasis.PUBLIC_TASK
    assert set(statutory.recipient_kinds) == {OrganisationKind.PROBATION, OrganisationKind.PRISON}
    ended = [a for a in agreements.values() if not a.is_in_force()]
    assert [a.title for a in ended] == ["Employment outcomes pilot"]
    assert ended[0].ends_on < date.today()


def test_criminal_justice_identifiers_go_to_probation_prison_and_the_lead_charity_only(demo):
    kinds = {
        kind
        for agreement in SharingAgreement.objects.all()
        if Category.CRIMINAL_JUSTICE_IDS in agreement.categories
        for kind in agreement.recipient_kinds
    }
    assert kinds == {
        OrganisationKind.PROBATION,
        OrganisationKind.PRISON,
        OrganisationKind.LEAD_CHARITY,
    }


def test_agreements_and_consents_pass_model_validation(demo):
    for agreement in SharingAgreement.objects.all():
        agreement.full_clean()
    consents = list(Consent.objects.select_related("person"))
    assert consents
    for consent in consents:
        consent.full_clean()


def test_consents_include_current_withdrawn_expired_and_none(demo):
    consents = list(Consent.objects.all())
    assert any(c.is_current() for c in consents)
    assert any(c.withdrawn_on for c in consents)
    assert any(c.expires_on and c.expires_on <= date.today() for c in consents)
    leavers = WorkingRelationship.objects.filter(organisation__kind=OrganisationKind.LEAD_CHARITY)
    consenting = set(Consent.objects.values_list("person_id", flat=True))
    assert set(leavers.values_list("person_id", flat=True)) - consenting


def test_childrens_consent_is_given_by_a_parent_or_after_a_competence_assessment(demo):
    children = [c for c in Consent.objects.select_related("person") if c.person.is_child]
    assert children
    for consent in children:
        assert consent.given_by in {
            ConsentGivenBy.PARENTAL_RESPONSIBILITY,
            ConsentGivenBy.COMPETENCE_ASSESSED,
        }
        if consent.given_by == ConsentGivenBy.PARENTAL_RESPONSIBILITY:
            assert consent.given_by_name


def test_the_coordinator_sees_contact_for_a_consenting_person_and_not_for_another(demo, actor):
    coordinator = actor("coordinator")
    seen = {
        person.pk: policy.categories_visible(coordinator, person)
        for person in policy.people_visible_to(coordinator)
    }
    assert any(Category.CONTACT in categories for categories in seen.values())
    assert any(Category.CONTACT not in categories for categories in seen.values())
    for person_id, categories in seen.items():
        consented = any(c.is_current() for c in Consent.objects.filter(person_id=person_id))
        assert (Category.CONTACT in categories) == consented
        # Suitability answers on the same consent; never anything else.
        assert categories <= {Category.IDENTITY, Category.CONTACT, Category.RISK_SUITABILITY}


def test_the_caseworker_has_people_with_and_without_shared_contact(demo, actor):
    caseworker = actor("caseworker")
    shared = [
        Category.CONTACT in policy.categories_visible(caseworker, person)
        for person in policy.people_visible_to(caseworker)
    ]
    assert True in shared and False in shared


def test_nobody_outside_probation_and_prison_sees_offence(demo):
    statutory = {OrganisationKind.PROBATION, OrganisationKind.PRISON}
    for membership in Membership.objects.select_related("organisation", "user"):
        for person in policy.people_visible_to(membership):
            sees = Category.OFFENCE in policy.categories_visible(membership, person)
            if membership.organisation.kind not in statutory:
                assert not sees, (membership.user.username, person)


def test_probation_sees_offence_for_the_people_it_supervises(demo, actor):
    probation = actor("probation")
    people = list(policy.people_visible_to(probation))
    assert people
    assert all(Category.OFFENCE in policy.categories_visible(probation, p) for p in people)


def test_after_the_pilot_ended_dwp_no_longer_sees_outcomes(demo):
    dwp = Membership.objects.filter(
        organisation__kind=OrganisationKind.DWP, role=Role.CASEWORKER
    ).first()
    assert Category.OUTCOMES not in policy.agreement_grants(dwp)
    assert Category.CONTACT in policy.agreement_grants(dwp)


def _sharing_rows() -> list:
    return sorted(
        [
            *SharingAgreement.objects.values_list(
                "id", "document_reference", "lawful_basis", "categories", "starts_on", "ends_on"
            ),
            *Consent.objects.values_list(
                "id",
                "person_id",
                "categories",
                "organisation_kinds",
                "given_by",
                "given_by_name",
                "given_on",
                "expires_on",
                "withdrawn_on",
                "recorded_by__username",
            ),
        ],
        key=repr,
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_agreements_and_consents():
    generate(SMALL_DEMO, 7, FIXED_TODAY, password="a-demo-password")
    first = _sharing_rows()
    delete_demo()
    assert not SharingAgreement.objects.exists() and not Consent.objects.exists()
    generate(SMALL_DEMO, 7, FIXED_TODAY, password="a-demo-password")
    assert _sharing_rows() == first
