"""Shared setup for contact and plan tests: a case of an organisation, opened a while ago."""

from datetime import date, timedelta

import pytest
from django.test import Client

from resettle.accounts.models import Membership
from resettle.cases.models import Case
from resettle.people.models import Person


def open_case(actor: Membership, person: Person, *, days_ago: int = 60, **fields) -> Case:
    """A case of the actor's organisation, created directly (the cases app owns its services)."""
    fields.setdefault("opened_on", date.today() - timedelta(days=days_ago))
    return Case.objects.create(person=person, organisation=actor.organisation, **fields)


def signed_in(actor: Membership) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def person(cast, make_person):
    return make_person(
        cast.caseworker, cast.mentor, cast.family, given_name="Sam", family_name="Okafor"
    )
