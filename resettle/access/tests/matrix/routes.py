"""Every route in the project, found at run time, and the policy decision declared for each.

A route is a Django URL pattern (keyed `namespace:name`) or an API operation (keyed
`METHOD /api/v1/path`, from the API's OpenAPI schema). A route missing from `DECISIONS` fails the
matrix: declare what it is about and who may use it before it ships."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from resettle.access.categories import Category
from resettle.access.tests.matrix import oracle as o
from resettle.access.tests.matrix.areas import AREAS
from resettle.access.tests.matrix.decision import Decision
from resettle.access.tests.matrix.scenario import Records
from resettle.accounts.models import Role
from resettle.api.api import api

ADMIN_PREFIX = "django-admin/"
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    key: str
    kind: str  # "page", "api" or "admin"
    route: str  # the path with its parameters, e.g. people/<uuid:pk>/
    name: str | None = None  # for reverse(): namespace:name
    method: str = "GET"  # API operations only

    @property
    def parameters(self) -> list[str]:
        return ["".join(groups) for groups in PARAMETER.findall(self.route)]


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, text, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield text, name


def _as_openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> list[Route]:
    """Every operation the API documents: the schema is what clients are told exists."""
    schema = api.get_openapi_schema()
    return [
        Route(key=f"{method.upper()} {path}", kind="api", route=path, method=method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def page_routes() -> tuple[list[Route], list[Route]]:
    """Django URL patterns: (pages, Django admin). API operation patterns are left to the schema:
    ninja mounts one pattern per path for all of that path's methods."""
    operation_paths = {route.route for route in api_operations()}
    pages, admin = [], []
    for text, name in _walk(get_resolver().url_patterns):
        if text.startswith(ADMIN_PREFIX):
            admin.append(Route(key=name or text, kind="admin", route=text, name=name))
        elif _as_openapi_path(text) not in operation_paths:
            pages.append(Route(key=name or text, kind="page", route=text, name=name))
    return pages, admin


def all_routes() -> list[Route]:
    pages, _admin = page_routes()
    return pages + api_operations()


# What fills each parameter, from the records of the scope being tried.
PAGE_PARAMETERS = {
    "consent_pk": "consent",
    "member_pk": "member",
    "access_pk": "access",
    "assessment_pk": "assessment",
}


def record_for(route: Route, parameter: str, about: str) -> str:
    """The Records attribute a parameter names."""
    if parameter == "pk":
        return about
    if parameter in PAGE_PARAMETERS:
        return PAGE_PARAMETERS[parameter]
    if parameter.endswith("_id"):
        return parameter.removesuffix("_id")
    return parameter


# Bodies ----------------------------------------------------------------------------------------


def _consent_body(records: Records) -> dict[str, Any]:
    return {
        "person": str(records.person.pk),
        "categories": [Category.CONTACT],
        "organisation_kinds": ["housing"],
        "method": "verbal",
        "given_by": "person",
        "given_on": date.today().isoformat(),
    }


def _assessment_body(records: Records) -> dict[str, Any]:
    return {
        "person": str(records.person.pk),
        "assessed_on": date.today().isoformat(),
        "review_on": date.today().replace(year=date.today().year + 1).isoformat(),
        "assessor_contact": "01632 960001",
        "answers": {
            "group_sessions_with_adults": "yes",
            "sessions_with_under_18s_present": "no",
            "sessions_with_vulnerable_adults_present": "yes",
            "one_to_one_sessions": "yes",
            "two_staff_needed": "no",
            "named_contact_restriction": "no",
        },
    }


def _person_query(records: Records) -> dict[str, Any]:
    return {"person": str(records.person.pk)}


# The decisions ---------------------------------------------------------------------------------

ADMIN = Role.ORGANISATION_ADMIN
RISK = Category.RISK_SUITABILITY
CONTACT = Category.CONTACT
FAMILY = Category.FAMILY_CHILDREN
has = o.has_category
WRITE = ("GET", "POST")

person_editor = o.role_in(*o.CASE_LEVEL_ROLES)  # every case-level role edits the people it sees
creator = o.role_in(*o.CREATE_ROLES)
consent_recorder = o.role_in(*o.CONSENT_ROLES)
household_shared = o.has_category(FAMILY, o.Outcome.NOT_FOUND)
# Every break-glass shows in a report, for those who oversee its use.
break_glass_overseer = (
    lambda actor, scope, world: (
        actor.is_safeguarding_lead or actor.role in {ADMIN, Role.PARTNERSHIP_MANAGER}
    ),
    o.Outcome.FORBIDDEN,
)

DECISIONS: dict[str, Decision] = {
    # Open to all -------------------------------------------------------------------------------
    "operations:healthz": Decision(o.public()),
    "operations:readyz": Decision(o.public()),
    "accounts:login": Decision(o.public()),
    "accounts:logout": Decision(o.public(), methods=("POST",)),
    "api:api-root": Decision(o.public()),
    "api:openapi-json": Decision(o.public()),
    "api:openapi-view": Decision(o.public()),
    "api:not_found": Decision(o.public()),
    # Any signed-in user, about nobody else --------------------------------------------------------
    "web:home": Decision(o.signed_in()),
    "accounts:switch_organisation": Decision(o.signed_in(), methods=WRITE),
    "accounts:organisation_list": Decision(o.signed_in()),
    "accounts:api_tokens": Decision(o.signed_in()),
    "accounts:api_token_create": Decision(o.signed_in(), methods=WRITE),
    "accounts:mfa_status": Decision(o.signed_in()),
    # A first authenticator after a password alone only where two-factor sign-in is optional
    # (analysts); everyone else enrols through an invitation link. No cast member has one yet.
    "accounts:mfa_setup": Decision(o.signed_in(o.role_in(Role.ANALYST)), methods=WRITE),
    "accounts:mfa_verify": Decision(o.signed_in(), methods=WRITE),
    "accounts:mfa_verify_recovery": Decision(o.signed_in(), methods=WRITE),
    "accounts:mfa_recovery_codes": Decision(o.signed_in(), methods=WRITE),
    "accounts:mfa_recovery_codes_regenerate": Decision(o.signed_in(), methods=WRITE),
    "accounts:password_change": Decision(o.signed_in(), methods=WRITE),
    "notifications:list": Decision(o.signed_in()),
    "notifications:mark_all_read": Decision(o.signed_in(), methods=("POST",)),
    # One's own token or notification; anyone else's is a 404 -------------------------------------
    "accounts:api_token_revoke": Decision(o.own_only(), about="token", methods=WRITE),
    "notifications:open": Decision(o.own_only(), about="notification"),
    # Organisations --------------------------------------------------------------------------------
    "accounts:organisation_detail": Decision(o.organisation(), about="organisation"),
    "accounts:organisation_edit": Decision(
        o.organisation(o.scope_in(o.OWN, otherwise=o.Outcome.FORBIDDEN), o.role_in(ADMIN)),
        about="organisation",
        methods=WRITE,
    ),
    # People ---------------------------------------------------------------------------------------
    "people:list": Decision(o.signed_in(o.case_level())),
    "people:create": Decision(o.signed_in(creator), methods=WRITE),
    "people:detail": Decision(o.person(), about="person"),
    "people:edit": Decision(o.person(person_editor), about="person", methods=WRITE),
    "people:add_name": Decision(o.person(person_editor), about="person", methods=WRITE),
    "people:add_address": Decision(
        o.person(person_editor, has(CONTACT, o.Outcome.FORBIDDEN)), about="person", methods=WRITE
    ),
    "people:family": Decision(o.person(), about="person"),
    "people:add_relationship": Decision(
        o.person(person_editor, has(FAMILY, o.Outcome.FORBIDDEN)), about="person", methods=WRITE
    ),
    "people:household_create": Decision(
        o.person(creator, has(FAMILY, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
        query=_person_query,
    ),
    # Which household someone lives in is family information: without it, a 404.
    "people:household_detail": Decision(o.person(household_shared), about="household"),
    "people:household_edit": Decision(
        o.person(household_shared, creator), about="household", methods=WRITE
    ),
    "people:household_member_leave": Decision(
        o.person(household_shared, person_editor), about="household", methods=WRITE
    ),
    # Consent --------------------------------------------------------------------------------------
    "consent:person_consents": Decision(o.person(), about="person"),
    "consent:record": Decision(o.person(consent_recorder), about="person", methods=WRITE),
    "consent:withdraw": Decision(o.person(consent_recorder), about="person", methods=WRITE),
    # Sharing agreements ---------------------------------------------------------------------------
    "partnerships:agreement_list": Decision(o.signed_in(o.role_in(ADMIN))),
    "partnerships:agreement_create": Decision(o.signed_in(o.role_in(ADMIN)), methods=WRITE),
    "partnerships:agreement_detail": Decision(o.agreement(), about="agreement"),
    "partnerships:agreement_edit": Decision(
        o.agreement(o.scope_in(o.OWN, otherwise=o.Outcome.FORBIDDEN)),
        about="agreement",
        methods=WRITE,
    ),
    "partnerships:agreement_end": Decision(
        o.agreement(o.scope_in(o.OWN, otherwise=o.Outcome.FORBIDDEN)),
        about="agreement",
        methods=WRITE,
    ),
    # Audit, break-glass ---------------------------------------------------------------------------
    "audit:person_access_log": Decision(o.person(o.access_log_reader()), about="person"),
    "access:break_glass": Decision(o.person(o.safeguarding_lead()), about="person", methods=WRITE),
    "access:break_glass_close": Decision(
        o.person(o.holds_break_glass()), about="person", methods=("POST",)
    ),
    "access:break_glass_report": Decision(o.signed_in(break_glass_overseer)),
    "access:break_glass_report_csv": Decision(o.signed_in(break_glass_overseer)),
    # Suitability ----------------------------------------------------------------------------------
    # The page opens for anyone who sees the person; its answers only with the category (checked
    # by the content checks in test_matrix).
    "suitability:person": Decision(o.person(), about="person"),
    "suitability:create": Decision(
        o.person(o.assessor(), o.has_category(RISK, o.Outcome.FORBIDDEN)),
        about="person",
        methods=WRITE,
    ),
    "suitability:request_review": Decision(
        o.person(o.has_category(RISK, o.Outcome.NOT_FOUND), o.not_assessor()),
        about="person",
        methods=WRITE,
    ),
    # API ------------------------------------------------------------------------------------------
    "GET /api/v1/people": Decision(o.signed_in()),
    "POST /api/v1/people": Decision(
        o.signed_in(creator), body=lambda r: {"given_name": "Robin", "family_name": "Matrix"}
    ),
    "GET /api/v1/people/{person_id}": Decision(o.person(), about="person"),
    "PATCH /api/v1/people/{person_id}": Decision(
        o.person(person_editor), about="person", body=lambda r: {}
    ),
    "GET /api/v1/households": Decision(o.signed_in()),
    # The role first; then a member whose family information the actor may not see (where
    # someone lives is family information) is invalid input, as a nonexistent one is.
    "POST /api/v1/households": Decision(
        o.signed_in(creator, has(FAMILY, o.Outcome.INVALID)),
        about="person",
        body=lambda r: {"name": "Matrix household", "members": [str(r.person.pk)]},
    ),
    "GET /api/v1/households/{household_id}": Decision(
        o.person(household_shared), about="household"
    ),
    "PATCH /api/v1/households/{household_id}": Decision(
        o.person(household_shared, creator), about="household", body=lambda r: {}
    ),
    "GET /api/v1/organisations": Decision(o.signed_in()),
    # Only Resettle's operators (superusers) add organisations; no cast member is one.
    "POST /api/v1/organisations": Decision(
        o.signed_in(o.role_in()), body=lambda r: {"name": "Matrix Org", "kind": "other"}
    ),
    "GET /api/v1/organisations/{organisation_id}": Decision(o.organisation(), about="organisation"),
    "PATCH /api/v1/organisations/{organisation_id}": Decision(
        o.organisation(o.scope_in(o.OWN, otherwise=o.Outcome.FORBIDDEN), o.role_in(ADMIN)),
        about="organisation",
        body=lambda r: {},
    ),
    "GET /api/v1/consents": Decision(o.signed_in()),
    "POST /api/v1/consents": Decision(
        o.person(consent_recorder), about="person", body=_consent_body
    ),
    "GET /api/v1/consents/{consent_id}": Decision(o.person(), about="person"),
    "POST /api/v1/consents/{consent_id}/withdraw": Decision(
        o.person(consent_recorder), about="person", body=lambda r: {}
    ),
    # With `person`: that person's access log; the organisation's own events are admins' only.
    "GET /api/v1/audit-events": Decision(
        o.person(o.access_log_reader()), about="person", query=_person_query
    ),
    "GET /api/v1/suitability-assessments": Decision(
        o.person(o.has_category(RISK, o.Outcome.FORBIDDEN)), about="person", query=_person_query
    ),
    "POST /api/v1/suitability-assessments": Decision(
        o.person(o.assessor(), o.has_category(RISK, o.Outcome.FORBIDDEN)),
        about="person",
        body=_assessment_body,
    ),
    "GET /api/v1/suitability-assessments/{assessment_id}": Decision(
        o.person(o.has_category(RISK, o.Outcome.NOT_FOUND)), about="person"
    ),
    "POST /api/v1/suitability-assessments/{assessment_id}/request-review": Decision(
        o.person(o.has_category(RISK, o.Outcome.NOT_FOUND), o.not_assessor()),
        about="person",
        body=lambda r: {"note": ""},
    ),
}

for _area in AREAS:
    _clash = set(DECISIONS) & set(_area.DECISIONS)
    assert not _clash, f"Declared twice: {_clash}"
    DECISIONS.update(_area.DECISIONS)
