"""Helpers for the people pages' tests."""

import pytest
from django.test import Client

from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind
from resettle.api.tests.conftest import api_as  # noqa: F401 (a fixture the API checks share)
from resettle.people.tests.sharing import make_agreement, make_consent


@pytest.fixture
def client_as(client: Client):
    """`client_as(cast.caseworker)` signs that user in; `client_as(None)` stays anonymous."""

    def sign_in(actor: Membership | None) -> Client:
        if actor is not None:
            client.force_login(actor.user)
        return client

    return sign_in


@pytest.fixture
def agreement(cast):
    """`agreement(categories=[...], kinds=[...], basis=...)`: a sharing agreement in the cast's
    partnership, owned by the lead charity. The basis defaults to public task (no consent
    needed); with `basis=LawfulBasis.CONSENT` each person's consent must cover the category."""

    def make(**options):
        return make_agreement(cast.partnership, owner=cast.lead_charity, **options)

    return make


@pytest.fixture
def consent(db):
    """`consent(person, categories=[...], kinds=[...])`: the person's consent, given a month ago."""
    return make_consent


@pytest.fixture
def lead_charity_holds_criminal_justice_ids(agreement):
    """For tests about people's records rather than sharing: the caseworker's organisation
    receives prison numbers, CRNs and PNC IDs under a statutory agreement."""
    return agreement(
        categories=[Category.CRIMINAL_JUSTICE_IDS], kinds=[OrganisationKind.LEAD_CHARITY]
    )
