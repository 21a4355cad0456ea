"""Signed-in clients for the consent pages and API, and the agreement that makes consent matter."""

import pytest
from django.test import Client

from resettle.access.categories import Category
from resettle.accounts.models import Membership, OrganisationKind
from resettle.api.tests.conftest import ApiClient, token_for
from resettle.partnerships.models import LawfulBasis, SharingAgreement
from resettle.partnerships.tests.factories import make_agreement


@pytest.fixture
def client_as(client: Client):
    """`client_as(cast.caseworker)` signs that user in; `client_as(None)` stays anonymous."""

    def sign_in(actor: Membership | None) -> Client:
        if actor is not None:
            client.force_login(actor.user)
        return client

    return sign_in


@pytest.fixture
def api_as(client: Client):
    """`api_as(cast.caseworker)` is an API client holding a fresh token for that user."""

    def make(actor: Membership | None) -> ApiClient:
        return ApiClient(client, token_for(actor.user) if actor is not None else None)

    return make


@pytest.fixture
def health_by_consent(cast) -> SharingAgreement:
    """Housing providers may see health, but only where the person has consented."""
    return make_agreement(
        partnership=cast.partnership,
        owner=cast.lead_charity,
        categories=[Category.HEALTH],
        recipient_kinds=[OrganisationKind.HOUSING],
        lawful_basis=LawfulBasis.CONSENT,
    )
