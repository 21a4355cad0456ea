"""What the bench measures: each endpoint, who requests it, and the requests it sends.

Data-driven: an endpoint whose URL does not resolve yet (a page still being built) is reported
as "not built" and skipped, so the same harness can be rerun as the application grows.
Requests for an endpoint rotate over the roles named and over sample records each role may
see (its own caseload, people it works with), so a run is not one cached page again and again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

# Roles signed in with a browser session, and roles given API tokens (demo logins).
SESSION_ROLES = ("caseworker", "probation", "mentor", "coordinator")
TOKEN_ROLES = ("caseworker", "probation")
SAMPLES_PER_ROLE = 40


@dataclass(frozen=True)
class Sample:
    """Records one role may see, for building requests."""

    person_ids: list[str]
    family_names: list[str]
    dates_of_birth: list[str]  # ISO
    identifiers: list[str]
    # Sessions whose register the role takes (a delivery partner's).
    session_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    # "session" (signed-in browser), "token" (API bearer token) or "anonymous".
    auth: str
    roles: tuple[str, ...]
    # The path to check resolves (a representative one).
    probe: str
    paths: Callable[[Sample], list[str]]


def _dob_query(iso: str) -> str:
    year, month, day = iso.split("-")
    return "/people/?" + urlencode(
        {
            "date_of_birth_day": int(day),
            "date_of_birth_month": int(month),
            "date_of_birth_year": year,
        }
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "hello",
        "Hello-world Django view (baseline)",
        "anonymous",
        (),
        "/bench/hello/",
        lambda s: ["/bench/hello/"],
    ),
    Endpoint(
        "signed_in",
        "Baseline: signed-in hello (session, user, two-factor, organisation)",
        "session",
        SESSION_ROLES,
        "/bench/signed-in/",
        lambda s: ["/bench/signed-in/"],
    ),
    Endpoint(
        "layout",
        "Baseline: empty page in the layout (header, menus, footer)",
        "session",
        SESSION_ROLES,
        "/bench/layout/",
        lambda s: ["/bench/layout/"],
    ),
    Endpoint("home", "Home", "session", SESSION_ROLES, "/", lambda s: ["/"]),
    Endpoint("today", "Today view", "session", SESSION_ROLES, "/today/", lambda s: ["/today/"]),
    Endpoint(
        "search_name",
        "People search: name",
        "session",
        ("caseworker", "probation"),
        "/people/",
        lambda s: ["/people/?" + urlencode({"q": name}) for name in s.family_names],
    ),
    Endpoint(
        "search_dob",
        "People search: date of birth",
        "session",
        ("caseworker", "probation"),
        "/people/",
        lambda s: [_dob_query(d) for d in s.dates_of_birth],
    ),
    Endpoint(
        "search_identifier",
        "People search: identifier",
        "session",
        ("caseworker", "probation"),
        "/people/",
        lambda s: ["/people/?" + urlencode({"q": value}) for value in s.identifiers],
    ),
    Endpoint(
        "person",
        "Person page",
        "session",
        SESSION_ROLES,
        "/people/00000000-0000-4000-8000-000000000000/",
        lambda s: [f"/people/{pk}/" for pk in s.person_ids],
    ),
    Endpoint(
        "caseload",
        "Caseload",
        "session",
        ("caseworker", "probation", "mentor"),
        "/caseload/",
        lambda s: ["/caseload/"],
    ),
    Endpoint(
        "referrals_received",
        "Referrals received",
        "session",
        ("coordinator", "caseworker"),
        "/referrals/received/",
        lambda s: ["/referrals/received/"],
    ),
    Endpoint(
        "register",
        "Session register",
        "session",
        ("coordinator",),
        "/sessions/00000000-0000-4000-8000-000000000000/",
        lambda s: [f"/sessions/{pk}/" for pk in s.session_ids],
    ),
    Endpoint(
        "api_people",
        "API: people list",
        "token",
        TOKEN_ROLES,
        "/api/v1/people",
        lambda s: ["/api/v1/people", "/api/v1/people?page=2"],
    ),
    Endpoint(
        "api_person",
        "API: person detail",
        "token",
        TOKEN_ROLES,
        "/api/v1/people/00000000-0000-4000-8000-000000000000",
        lambda s: [f"/api/v1/people/{pk}" for pk in s.person_ids],
    ),
    Endpoint(
        "api_sessions",
        "API: sessions list",
        "token",
        ("coordinator",),
        "/api/v1/sessions",
        # The first page only: a database made before sessions existed has no second.
        lambda s: ["/api/v1/sessions"],
    ),
)
