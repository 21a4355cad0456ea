"""Helpers for the merge tests: two records of one person that the lead charity alone holds,
with something of every kind on each, and a dump of every row referring to a record."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from resettle.cases.models import Case, CaseState, CloseReason
from resettle.contacts.models import Contact, ContactKind, ContactOutcome
from resettle.custody.models import CustodyPeriod
from resettle.directory.models import Access, Service
from resettle.mentoring.models import MenteePreferences
from resettle.partnerships.tests.factories import make_consent
from resettle.people.choices import AddressKind, NameKind, RelationshipKind
from resettle.people.merging import snapshot
from resettle.people.models import (
    Address,
    Household,
    HouseholdMember,
    Identifier,
    Person,
    PersonName,
    Relationship,
    WorkingRelationship,
)
from resettle.people.references import person_references
from resettle.referrals.models import Referral, ReferralState

TODAY = date.today()


def dump(*people: Person) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row referring to these records, and the records themselves, field by field."""
    ids = [person.pk for person in people]
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for person in Person.objects.filter(pk__in=ids):
        rows[("people.Person", str(person.pk))] = snapshot(person)
    for reference in person_references():
        model = reference.model
        for row in model._base_manager.filter(**{f"{reference.name}__in": ids}):
            rows[(model._meta.label, str(row.pk))] = snapshot(row)
    return rows


def service(organisation, name: str = "Housing advice") -> Service:
    return Service.objects.create(
        organisation=organisation,
        name=name,
        description="Advice.",
        access=Access.REFERRAL_ONLY,
        pathways=["accommodation"],
    )


def case(person: Person, member, **fields) -> Case:
    fields.setdefault("opened_on", TODAY)
    return Case.objects.create(person=person, organisation=member.organisation, **fields)


def contact(person: Person, of_case: Case, member, note: str = "Talked about housing.") -> Contact:
    return Contact.objects.create(
        person=person,
        case=of_case,
        organisation=of_case.organisation,
        recorded_by=member.user,
        kind=ContactKind.PHONE,
        happened_at=timezone.now(),
        outcome=ContactOutcome.ATTENDED,
        note=note,
    )


def referral(person: Person, to: Service, member) -> Referral:
    return Referral.objects.create(
        person=person,
        service=to,
        referring_organisation=member.organisation,
        referred_by=member.user,
        state=ReferralState.SUBMITTED,
        reason="Needs a place to live",
        pathway="accommodation",
        submitted_at=timezone.now(),
    )


def furnish(person: Person, member, *, tag: str) -> dict[str, Any]:
    """Something of every common kind on `person`, all the lead charity's."""
    of_case = case(
        person, member, state=CaseState.CLOSED, closed_on=TODAY, close_reason=CloseReason.GOALS_MET
    )
    made = {
        "case": of_case,
        "contacts": [contact(person, of_case, member, f"{tag} {n}") for n in range(2)],
        "name": PersonName.objects.create(
            person=person, kind=NameKind.ALIAS, given_name=tag, family_name="Alias"
        ),
        "address": Address.objects.create(
            person=person,
            kind=AddressKind.HOME,
            line_1=f"{tag} Street",
            postcode="NE1 4ST",
            from_date=TODAY - timedelta(days=100),
        ),
        "consent": make_consent(person=person, recorded_by=member),
        "referral": referral(person, service(member.organisation, f"{tag} service"), member),
        "custody": CustodyPeriod.objects.create(
            person=person,
            kind="sentence",
            start_date=TODAY - timedelta(days=400),
            establishment="HMP Northshire",
            recorded_by=member.user,
            released_on=TODAY - timedelta(days=30),
        ),
    }
    return made


def household_with(*people: Person) -> Household:
    household = Household.objects.create(name="The Example household")
    for person in people:
        HouseholdMember.objects.create(household=household, person=person, joined_on=TODAY)
    return household


def relate(person: Person, other: Person, kind: str = RelationshipKind.SIBLING) -> None:
    Relationship.objects.create(person=person, related_person=other, kind=kind)
    Relationship.objects.create(person=other, related_person=person, kind=kind)


def identify(person: Person, scheme: str, value: str) -> Identifier:
    return Identifier.objects.create(person=person, scheme=scheme, value=value)


def preferences(person: Person, member) -> MenteePreferences:
    return MenteePreferences.objects.create(person=person, organisation=member.organisation)


def open_relationships(person: Person) -> list[WorkingRelationship]:
    return list(WorkingRelationship.objects.filter(person=person, ended_on__isnull=True))
