"""Shared setup for data-protection tests: the lead charity's admin as its data-protection lead,
and someone the lead charity and the housing provider both work with, each with records of its
own, so a pack can be checked for holding the one's and not (unshared) the other's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resettle.accounts.models import Membership
from resettle.cases.models import Case
from resettle.contacts.models import Contact
from resettle.people.models import Person

OWN_NOTE = "Talked through the tenancy application"
OTHER_NOTE = "Housing officer visited the flat"


@pytest.fixture
def lead(cast) -> Membership:
    """The lead charity's organisation admin, made its data-protection lead."""
    cast.admin.is_data_protection_lead = True
    cast.admin.save()
    return cast.admin


@pytest.fixture
def other_lead(cast) -> Membership:
    """The housing provider's caseworker, made its data-protection lead."""
    cast.housing.is_data_protection_lead = True
    cast.housing.save()
    return cast.housing


def contact(actor: Membership, person: Person, note: str, **fields) -> Contact:
    case = Case.objects.filter(person=person, organisation=actor.organisation).first()
    if case is None:
        case = Case.objects.create(
            person=person,
            organisation=actor.organisation,
            opened_on=timezone.localdate() - timedelta(days=30),
        )
    return Contact.objects.create(
        person=person,
        case=case,
        organisation=actor.organisation,
        recorded_by=actor.user,
        kind="face_to_face",
        happened_at=timezone.now() - timedelta(days=2),
        outcome="attended",
        note=note,
        **fields,
    )


@pytest.fixture
def person(cast, make_person) -> Person:
    person = make_person(
        cast.caseworker, cast.housing, given_name="Sam", family_name="Okafor", phone="07700900123"
    )
    contact(cast.caseworker, person, OWN_NOTE)
    contact(cast.housing, person, OTHER_NOTE)
    return person
