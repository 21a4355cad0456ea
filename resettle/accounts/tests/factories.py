"""Small builders for users, organisations and memberships in tests.

Other apps' tests import these, so the keyword arguments stay stable; every argument has a
sensible default so a test names only what it cares about.
"""

from itertools import count

from resettle.accounts.models import Membership, Organisation, OrganisationKind, Role, User

_sequence = count(1)

DEFAULT_PASSWORD = "a-long-test-password-1"


def make_user(
    *,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    first_name: str = "",
    last_name: str = "",
    **fields,
) -> User:
    username = username or f"user{next(_sequence)}"
    return User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name or username.capitalize(),
        last_name=last_name or "Tester",
        **fields,
    )


def make_organisation(
    *, name: str | None = None, kind: str = OrganisationKind.LEAD_CHARITY, **fields
) -> Organisation:
    return Organisation.objects.create(
        name=name or f"Organisation {next(_sequence)}", kind=kind, **fields
    )


def make_membership(
    *,
    user: User | None = None,
    organisation: Organisation | None = None,
    role: str = Role.CASEWORKER,
    **fields,
) -> Membership:
    return Membership.objects.create(
        user=user or make_user(),
        organisation=organisation or make_organisation(),
        role=role,
        **fields,
    )
