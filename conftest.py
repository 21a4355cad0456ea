"""Fixtures shared by every test.

The network is blocked for all tests by pytest-socket (see `addopts` in pyproject.toml): only
connections to this machine are allowed, which the browser tests need for the live server.

`cast` is one user per role and organisation of the demo partnership (DESIGN §7), plus an
outsider whose organisation is outside the partnership, so tests say who acts by name
(`cast.caseworker`, `cast.mentor`) rather than building users inline.

Query counts are taken only through `count_queries`, `django_assert_num_queries` or
`django_assert_max_num_queries`, and a test that asks for any of them runs with the clock
stopped (see `_stopped_clock_for_query_counts`).
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from resettle.accounts.models import Membership, Organisation, OrganisationKind, Partnership, Role
from resettle.accounts.tests.factories import make_membership, make_organisation, make_user
from resettle.people.models import Identifier, Person, WorkingRelationship

# Every cast member signs in with this password in browser tests.
CAST_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (test-only)


@dataclass(frozen=True)
class Cast:
    """Acting memberships (what `request.actor` would be) for each person in the cast.

    `cast.caseworker` is a Membership; `cast.caseworker.user` is the User behind it."""

    partnership: Partnership
    probation_unit: Organisation
    prison_team: Organisation
    lead_charity: Organisation
    mentoring_charity: Organisation
    football_trust: Organisation
    family_charity: Organisation
    housing_provider: Organisation
    outside_organisation: Organisation

    probation: Membership
    prison: Membership
    caseworker: Membership
    mentor: Membership
    coordinator: Membership
    family: Membership
    housing: Membership
    manager: Membership
    analyst: Membership
    admin: Membership
    safeguarding: Membership
    outsider: Membership
    # Every cast member's password, for signing in through the browser.
    password: str = CAST_PASSWORD

    def members(self) -> dict[str, Membership]:
        """Every cast member by username, for parametrised role tests."""
        return {m.user.username: m for m in self.__dict__.values() if isinstance(m, Membership)}


def build_cast() -> Cast:
    partnership = Partnership.objects.create(name="Northshire Resettlement Partnership")
    organisations = {
        "probation_unit": ("Northshire Probation Delivery Unit", OrganisationKind.PROBATION),
        "prison_team": ("HMP Northshire Resettlement Team", OrganisationKind.PRISON),
        "lead_charity": ("New Leaf Northshire", OrganisationKind.LEAD_CHARITY),
        "mentoring_charity": ("Through the Gate Mentors", OrganisationKind.MENTORING),
        "football_trust": ("Northshire Town Community Trust", OrganisationKind.SPORT_TRUST),
        "family_charity": ("Families Together Northshire", OrganisationKind.FAMILY_SUPPORT),
        "housing_provider": ("Northshire Homes", OrganisationKind.HOUSING),
    }
    orgs = {
        key: make_organisation(name=name, kind=kind) for key, (name, kind) in organisations.items()
    }
    partnership.organisations.add(*orgs.values())
    # Outside the partnership: it must never see the partnership's people.
    orgs["outside_organisation"] = make_organisation(
        name="Elsewhere Advice Centre", kind=OrganisationKind.OTHER
    )

    def member(username: str, org: str, role: str, **extra) -> Membership:
        user = make_user(username=username, password=CAST_PASSWORD)
        return make_membership(user=user, organisation=orgs[org], role=role, **extra)

    return Cast(
        partnership=partnership,
        **orgs,
        probation=member("probation", "probation_unit", Role.REFERRER),
        prison=member("prison", "prison_team", Role.REFERRER),
        caseworker=member("caseworker", "lead_charity", Role.CASEWORKER),
        mentor=member("mentor", "mentoring_charity", Role.PEER_MENTOR),
        coordinator=member("coordinator", "football_trust", Role.DELIVERY_COORDINATOR),
        family=member("family", "family_charity", Role.CASEWORKER),
        housing=member("housing", "housing_provider", Role.CASEWORKER),
        manager=member("manager", "lead_charity", Role.PARTNERSHIP_MANAGER),
        analyst=member("analyst", "lead_charity", Role.ANALYST),
        admin=member("admin", "lead_charity", Role.ORGANISATION_ADMIN),
        safeguarding=member(
            "safeguarding", "lead_charity", Role.CASEWORKER, is_safeguarding_lead=True
        ),
        outsider=member("outsider", "outside_organisation", Role.CASEWORKER),
    )


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def make_person(db):
    """Build a person that the given actors' organisations are working with.

    A peer mentor's working relationship is allocated to them, as that is how mentors see people.
    Dates default to a relationship that started today and is still open."""

    def build(
        *working_with: Membership,
        started_on: date | None = None,
        ended_on: date | None = None,
        identifiers: dict[str, str] | None = None,
        **fields,
    ) -> Person:
        fields.setdefault("given_name", "Jordan")
        fields.setdefault("family_name", "Example")
        person = Person.objects.create(**fields)
        for scheme, value in (identifiers or {}).items():
            Identifier.objects.create(person=person, scheme=scheme, value=value)
        for actor in working_with:
            WorkingRelationship.objects.create(
                person=person,
                organisation=actor.organisation,
                started_on=started_on or date.today(),
                ended_on=ended_on,
                allocated_to=actor.user if actor.role == Role.PEER_MENTOR else None,
            )
        return person

    return build


# Fixtures that count queries. A test asking for one runs with the clock stopped: a session is
# rewritten when its last request is 30 seconds old, and a slow run (many workers on few cores)
# would otherwise add that write to a count now and then.
QUERY_COUNTERS = frozenset(
    {"count_queries", "django_assert_num_queries", "django_assert_max_num_queries"}
)


@pytest.fixture(autouse=True)
def _stopped_clock_for_query_counts(request) -> Iterator[None]:
    # Autouse, so the clock stops before any other fixture of the test signs anyone in.
    if QUERY_COUNTERS.isdisjoint(request.fixturenames):
        yield
        return
    with time_machine.travel(time.time(), tick=False):
        yield


@pytest.fixture
def count_queries(db) -> Callable[..., CaptureQueriesContext]:
    """`with count_queries() as queries: ...` then `len(queries)`: the queries run inside."""

    def capture(using: str = "default") -> CaptureQueriesContext:
        return CaptureQueriesContext(connections[using])

    return capture
