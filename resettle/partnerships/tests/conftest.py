"""The extra organisation admins the agreement tests need."""

import pytest

from resettle.accounts.models import Membership, Role
from resettle.accounts.tests.factories import make_membership, make_user


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
