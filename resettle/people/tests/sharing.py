"""Sharing agreements and consents for tests: what gives an organisation a data category of a
person's record beyond identity (DESIGN §4). Plain functions, so the API tests use them too."""

from collections.abc import Iterable
from datetime import date, timedelta

from resettle.accounts.models import Organisation
from resettle.consent.models import Consent, ConsentGivenBy, ConsentMethod
from resettle.partnerships.models import LawfulBasis, Partnership, SharingAgreement
from resettle.people.choices import RELATIONSHIP_INVERSE
from resettle.people.models import Household, Person, Relationship


def make_agreement(
    partnership: Partnership,
    *,
    owner: Organisation,
    categories: Iterable[str],
    kinds: Iterable[str] = (),
    organisations: Iterable[Organisation] = (),
    basis: str = LawfulBasis.PUBLIC_TASK,
    starts_on: date | None = None,
    ends_on: date | None = None,
    title: str = "Test sharing agreement",
) -> SharingAgreement:
    """An agreement in force from a year ago (unless told otherwise), with no end date."""
    agreement = SharingAgreement(
        partnership=partnership,
        owner=owner,
        title=title,
        document_reference="TEST-ISA-01",
        purpose="Testing who sees what.",
        lawful_basis=basis,
        categories=[str(c) for c in categories],
        recipient_kinds=[str(k) for k in kinds],
        starts_on=starts_on or date.today() - timedelta(days=365),
        ends_on=ends_on,
    )
    agreement.full_clean(exclude=["created_by"])
    agreement.save()
    agreement.recipient_organisations.set(organisations)
    return agreement


def make_consent(
    person: Person,
    *,
    categories: Iterable[str],
    kinds: Iterable[str] = (),
    organisations: Iterable[Organisation] = (),
    given_on: date | None = None,
    expires_on: date | None = None,
    withdrawn_on: date | None = None,
    given_by: str = ConsentGivenBy.PERSON,
    given_by_name: str = "",
) -> Consent:
    """A consent given a month ago (unless told otherwise), not expiring, not withdrawn."""
    consent = Consent(
        person=person,
        categories=[str(c) for c in categories],
        organisation_kinds=[str(k) for k in kinds],
        method=ConsentMethod.WRITTEN,
        given_by=given_by,
        given_by_name=given_by_name,
        given_on=given_on or date.today() - timedelta(days=30),
        expires_on=expires_on,
        withdrawn_on=withdrawn_on,
    )
    consent.full_clean(exclude=["recorded_by", "recorded_by_organisation"])
    consent.save()
    consent.organisations.set(organisations)
    return consent


def make_household(name: str, members) -> Household:
    """A household recorded directly, for tests that set up data before any sharing exists."""
    household = Household.objects.create(name=name)
    for person in members:
        household.members.create(person=person, joined_on=date.today())
    return household


def make_relationship(person: Person, related: Person, kind: str, **fields) -> Relationship:
    """Both sides of a relationship recorded directly (see make_household)."""
    relationship = Relationship.objects.create(
        person=person, related_person=related, kind=kind, **fields
    )
    Relationship.objects.get_or_create(
        person=related,
        related_person=person,
        defaults={
            "kind": RELATIONSHIP_INVERSE[kind],
            "lives_with": fields.get("lives_with", False),
        },
    )
    return relationship
