"""Shared setup for the custody and cases tests: with the root `agreement` (custody, case notes
and risk shared with the partnership), one that keeps offence details with probation and prison,
and a person whom probation, the lead charity and the mentoring charity all work with."""

from datetime import date, timedelta

import pytest

from resettle.access.categories import Category
from resettle.accounts.models import OrganisationKind
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.people.models import Person

PARTNER_KINDS = sorted(OrganisationKind.values)
SHARED = [Category.CUSTODY, Category.CASE_NOTES, Category.RISK_SUITABILITY, Category.OUTCOMES]


def make_agreement(cast, *, categories=SHARED, kinds=PARTNER_KINDS) -> SharingAgreement:
    return SharingAgreement.objects.create(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        title="Resettlement casework",
        document_reference="ISA-2025-09",
        purpose="Support through custody and release.",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        categories=categories,
        recipient_kinds=kinds,
        starts_on=date.today() - timedelta(days=365),
    )


@pytest.fixture
def offence_agreement(cast) -> SharingAgreement:
    return make_agreement(
        cast,
        categories=[Category.OFFENCE],
        kinds=[OrganisationKind.PROBATION, OrganisationKind.PRISON],
    )


@pytest.fixture
def person(cast, make_person, agreement) -> Person:
    return make_person(
        cast.probation, cast.caseworker, cast.mentor, started_on=date.today() - timedelta(days=400)
    )


def days(n: int) -> date:
    return date.today() + timedelta(days=n)
