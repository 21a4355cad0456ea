"""Signed-in clients and the extra organisation admins the agreement tests need."""

import pytest
from django.test import Client

from resettle.accounts.models import Membership, Role
from resettle.accounts.tests.factories import make_membership, make_user


@pytest.fixture
def client_as(client: Client):
    """`client_as(cast.admin)` signs that user in; `client_as(None)` stays anonymous."""

    def sign_in(actor: Membership | None) -> Client:
        if actor is not None:
            client.force_login(actor.user)
        return client

    return sign_in


@pytest.fixture
def probation_admin(cast) -> Membership:
    """An admin of another organisation in the same partnership as `cast.admin`."""
    return make_membership(
        user=make_user(username="probation_admin"),
        organisation=cast.probation_unit,
        role=Role.ORGANISATION_ADMIN,
    )


@pytest.fixture
def outsider_admin(cast) -> Membership:
    """An admin of an organisation outside the partnership."""
    return make_membership(
        user=make_user(username="outsider_admin"),
        organisation=cast.outside_organisation,
        role=Role.ORGANISATION_ADMIN,
    )
