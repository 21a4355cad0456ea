"""Shared setup for the suitability tests: the terms of the sharing agreement that gives
organisations the risk and suitability category, and a valid assessment."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.people.models import Person
from resettle.suitability import services
from resettle.suitability.models import SuitabilityAssessment

# Assessors and the football trust: who the usual agreement gives risk and suitability to.
SUITABILITY_KINDS = [
    OrganisationKind.PROBATION,
    OrganisationKind.PRISON,
    OrganisationKind.LEAD_CHARITY,
    OrganisationKind.SPORT_TRUST,
]
NAMES = "Alex Rivers and anyone at 14 Mill Lane"


def make_agreement(
    cast, *, kinds: list[str], basis: str = LawfulBasis.PUBLIC_TASK, **fields
) -> SharingAgreement:
    fields.setdefault("starts_on", date.today() - timedelta(days=30))
    return SharingAgreement.objects.create(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        title="Suitability for partners",
        document_reference="ISA-2025-07",
        purpose="So partners can plan sessions safely without offence details.",
        lawful_basis=basis,
        categories=[Category.RISK_SUITABILITY],
        recipient_kinds=kinds,
        **fields,
    )


@pytest.fixture
def sharing_terms() -> dict:
    """Risk and suitability shared with the assessors and sport trusts."""
    return {
        "categories": [Category.RISK_SUITABILITY],
        "kinds": SUITABILITY_KINDS,
        "starts_on": date.today() - timedelta(days=30),
    }


@pytest.fixture
def assessors_only(cast) -> SharingAgreement:
    """Risk and suitability shared with the assessing organisations, not with sport trusts."""
    return make_agreement(
        cast,
        kinds=[OrganisationKind.PROBATION, OrganisationKind.PRISON, OrganisationKind.LEAD_CHARITY],
    )


def answers(**changes) -> dict:
    """A valid assessment's data, as a service takes it."""
    today = date.today()
    return {
        "assessed_on": today - timedelta(days=3),
        "review_on": today + timedelta(days=180),
        "assessor_contact": "01632 960101",
        "group_sessions_with_adults": "yes",
        "sessions_with_under_18s_present": "no",
        "sessions_with_vulnerable_adults_present": "yes_with_measures",
        "one_to_one_sessions": "yes",
        "two_staff_needed": "no",
        "areas_to_avoid": "The town centre of Millbrook",
        "measures": "A coach stays with the group for the whole session.",
        "named_contact_restriction": "no",
        "named_people_to_avoid": "",
    } | changes


def record(actor: Membership, person: Person, **changes) -> SuitabilityAssessment:
    return services.suitability_assessment_record(
        actor=actor, person=person, data=answers(**changes)
    )


@pytest.fixture
def person(cast, make_person) -> Person:
    """Someone probation supervises and the football trust works with."""
    return make_person(cast.probation, cast.coordinator, given_name="Sam", family_name="Okafor")
