"""Shared setup for the referral tests: a football trust's referral-only session, a person
probation supervises with a suitability assessment, and the terms of the agreement that shares
risk and suitability with sport trusts (no consent needed: a public task)."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.directory.models import Access, Service
from resettle.people.models import Person
from resettle.referrals import services
from resettle.referrals.models import Referral
from resettle.suitability.tests.conftest import record

NAMES = "Alex Rivers"


@pytest.fixture
def sharing_terms() -> dict:
    """Risk, suitability and contact details shared with probation, sport trusts and the lead
    charity (no consent needed: a public task)."""
    return {
        "categories": [Category.RISK_SUITABILITY, Category.CONTACT],
        "kinds": [
            OrganisationKind.PROBATION,
            OrganisationKind.SPORT_TRUST,
            OrganisationKind.LEAD_CHARITY,
        ],
    }


@pytest.fixture
def session(cast) -> Service:
    return Service.objects.create(
        organisation=cast.football_trust,
        name="Tuesday referral football",
        description="A coached session for adults, by referral only.",
        access=Access.REFERRAL_ONLY,
        pathways=["sport"],
        capacity=2,
    )


@pytest.fixture
def person(cast, make_person, agreement) -> Person:
    person = make_person(
        cast.probation,
        given_name="Sam",
        family_name="Okafor",
        date_of_birth=date(1990, 4, 2),
        phone="07700 900123",
    )
    record(
        cast.probation,
        person,
        named_contact_restriction="yes",
        named_people_to_avoid=NAMES,
    )
    return person


def refer(actor, person, service, *, submit: bool = True, **fields) -> Referral:
    fields.setdefault("reason", "Wants to get fit and meet people; football before prison.")
    fields.setdefault("pathway", "sport")
    fields.setdefault("shared_categories", [Category.RISK_SUITABILITY])
    return services.referral_create(
        actor=actor, person=person, service=service, submit=submit, **fields
    )


@pytest.fixture
def submitted(cast, person, session) -> Referral:
    return refer(cast.probation, person, session)


def days_ago(n: int):
    from django.utils import timezone

    return timezone.now() - timedelta(days=n)
