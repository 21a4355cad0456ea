"""Builders for sharing agreements and consents in tests. They write rows directly, skipping
the services, so a test sets up exactly the terms it is about; other apps' tests import them."""

from collections.abc import Sequence
from datetime import date, timedelta

from resettle.access.categories import Category
from resettle.accounts.models import Membership, Organisation, OrganisationKind
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.partnerships.models import LawfulBasis, Partnership, SharingAgreement
from resettle.people.models import Person


def make_agreement(
    *,
    partnership: Partnership,
    owner: Organisation,
    categories: Sequence[str],
    recipient_kinds: Sequence[str] = (),
    recipient_organisations: Sequence[Organisation] = (),
    lawful_basis: str = LawfulBasis.PUBLIC_TASK,
    starts_on: date | None = None,
    ends_on: date | None = None,
    title: str = "Resettlement information sharing",
) -> SharingAgreement:
    """An agreement that started a year ago unless told otherwise."""
    agreement = SharingAgreement.objects.create(
        partnership=partnership,
        owner=owner,
        title=title,
        document_reference="ISA-TEST-1",
        purpose="To support people leaving prison.",
        lawful_basis=lawful_basis,
        categories=list(categories),
        recipient_kinds=list(recipient_kinds),
        starts_on=starts_on or date.today() - timedelta(days=365),
        ends_on=ends_on,
    )
    agreement.recipient_organisations.set(recipient_organisations)
    return agreement


def make_consent(
    *,
    person: Person,
    recorded_by: Membership,
    categories: Sequence[str] = (Category.HEALTH,),
    organisation_kinds: Sequence[str] = (OrganisationKind.HOUSING,),
    organisations: Sequence[Organisation] = (),
    given_on: date | None = None,
    expires_on: date | None = None,
    withdrawn_on: date | None = None,
    given_by: str = ConsentGivenBy.PERSON,
) -> Consent:
    consent = Consent.objects.create(
        person=person,
        categories=list(categories),
        organisation_kinds=list(organisation_kinds),
        method=ConsentMethod.WRITTEN,
        given_by=given_by,
        given_by_name="Sam Parent" if given_by == ConsentGivenBy.PARENTAL_RESPONSIBILITY else "",
        given_on=given_on or date.today() - timedelta(days=30),
        expires_on=expires_on,
        withdrawn_on=withdrawn_on,
        recorded_by=recorded_by.user,
        recorded_by_organisation=recorded_by.organisation,
    )
    consent.organisations.set(organisations)
    return consent
