"""Fixtures shared by every test.

The network is blocked for all tests by pytest-socket (see `addopts` in pyproject.toml): only
connections to this machine are allowed, which the browser tests need for the live server.

`cast` is one user per role and organisation of the demo partnership (DESIGN §7), plus an
outsider whose organisation is outside the partnership, so tests say who acts by name
(`cast.caseworker`, `cast.mentor`) rather than building users inline.

The whole run happens on one day: the clock starts at noon (London) of the day the run starts
and ticks from there (see `pytest_configure`). Tests and code both ask for "today" at many moments,
and a run that crossed midnight would compare dates on either side of it.

Query counts are taken only through `count_queries`, `django_assert_num_queries` or
`django_assert_max_num_queries`, and a test that asks for any of them runs with the clock
stopped (see `_stopped_clock_for_query_counts`).
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from resettle.access.categories import Category
from resettle.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from resettle.accounts.tests.factories import make_membership, make_organisation, make_user
from resettle.partnerships.models import Partnership, SharingAgreement
from resettle.people.models import Identifier, Person, WorkingRelationship
from resettle.people.tests.sharing import make_agreement
from resettle.testing import ApiClient, token_for

# Every cast member signs in with this password in browser tests.
CAST_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (test-only)


RUN_CLOCK = pytest.StashKey[time_machine.travel]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Before collection, so module-level dates such as `TODAY = date.today()` see the same day.
    london = ZoneInfo("Europe/London")
    noon = datetime.combine(datetime.now(london).date(), clock_time(12), tzinfo=london)
    config.stash[RUN_CLOCK] = time_machine.travel(noon, tick=True)
    config.stash[RUN_CLOCK].start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if RUN_CLOCK in config.stash:
        config.stash[RUN_CLOCK].stop()


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
    orgs: dict[str, Any] = {
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


@pytest.fixture
def client_as(client: Client) -> Callable[[Membership | None], Client]:
    """`client_as(cast.caseworker)` signs that user in; `client_as(None)` signs out."""

    def sign_in(actor: Membership | None) -> Client:
        client.logout()
        if actor is not None:
            client.force_login(actor.user)
        return client

    return sign_in


@pytest.fixture
def api_as(client: Client) -> Callable[[Membership | User | None], ApiClient]:
    """`api_as(cast.caseworker)` is an API client holding a fresh token for that user;
    `api_as(None)` holds none."""

    def make(who: Membership | User | None) -> ApiClient:
        if who is None:
            return ApiClient(client)
        user = who.user if isinstance(who, Membership) else who
        return ApiClient(client, token_for(user))

    return make


@pytest.fixture
def share(cast) -> Callable[..., SharingAgreement]:
    """`share(categories=[...], kinds=[...], basis=..., organisations=[...])`: a sharing
    agreement in the cast's partnership, owned by the lead charity and in force from a year ago
    (unless told otherwise). On `basis=LawfulBasis.CONSENT` each person's consent must cover
    the category too."""

    def make(**terms) -> SharingAgreement:
        return make_agreement(cast.partnership, owner=cast.lead_charity, **terms)

    return make


@pytest.fixture
def sharing_terms() -> dict:
    """What `agreement` shares: casework, custody, risk and outcomes with every kind of partner.
    A test package whose tests need other terms overrides this fixture."""
    return {
        "categories": [
            Category.CUSTODY,
            Category.CASE_NOTES,
            Category.RISK_SUITABILITY,
            Category.OUTCOMES,
        ],
        "kinds": sorted(OrganisationKind.values),
    }


@pytest.fixture
def agreement(share, sharing_terms) -> SharingAgreement:
    """The cast's partnership's sharing agreement, on `sharing_terms`."""
    return share(**sharing_terms)


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
