"""Helpers for the people pages' tests."""

import pytest
from django.test import Client

from resettle.accounts.models import Membership


@pytest.fixture
def client_as(client: Client):
    """`client_as(cast.caseworker)` signs that user in; `client_as(None)` stays anonymous."""

    def sign_in(actor: Membership | None) -> Client:
        if actor is not None:
            client.force_login(actor.user)
        return client

    return sign_in
