"""The authorization matrix: every URL pattern and API operation by every
demo role by (own record, another organisation's record, a record shared by agreement, a record
whose consent was withdrawn, and records whose work with the organisation has ended: a withdrawn
referral, a completed one, a closed case, an expired follow-up window). It fails on any
unexpected 2xx, on a record the actor may not see answering differently from one that does not
exist, and on a route with no policy decision.

The routes are found at run time (`matrix/routes.py`), so a new URL or API operation is checked
the moment it exists, and fails until its decision is declared in `routes.DECISIONS`."""

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from resettle.access.tests.matrix.routes import ADMIN_PREFIX, DECISIONS, all_routes, page_routes
from resettle.access.tests.matrix.runner import check_route, table

pytestmark = pytest.mark.django_db

ROUTES = all_routes()


def test_every_route_has_a_declared_policy_decision():
    undeclared = [route.key for route in ROUTES if route.key not in DECISIONS]
    assert not undeclared, (
        "These routes have no policy decision. Declare who may use each in "
        "resettle/access/tests/matrix/routes.py DECISIONS (what record it is about, and the "
        "rule), so the authorization matrix can check them:\n  " + "\n  ".join(undeclared)
    )


def test_no_decision_is_declared_for_a_route_that_does_not_exist():
    keys = {route.key for route in ROUTES}
    stale = sorted(set(DECISIONS) - keys)
    assert not stale, "Remove the decisions of routes that no longer exist: " + ", ".join(stale)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.key)
def test_route_answers_every_role_and_scope_as_declared(route, world):
    decision = DECISIONS.get(route.key)
    if decision is None:
        pytest.fail(f"{route.key} has no policy decision: declare one in matrix/routes.py")
    failures = check_route(route, decision, world)
    assert not failures, f"{len(failures)} unexpected answers:\n{table(failures)}"


def test_django_admin_sends_every_role_to_the_admin_sign_in(world):
    """The Django admin is for Resettle's operators (superusers) only: no demo role, and nobody
    signed out, gets a page of it."""
    _pages, admin_routes = page_routes()
    # Signed out, the site's own sign-in comes first (every page needs one); signed in without
    # being staff, the admin's.
    sign_in = (reverse("admin:login"), resolve_url(settings.LOGIN_URL))
    failures = []
    for route in admin_routes:
        if route.name in {"admin:login", "admin:logout"}:
            continue
        if route.name is None:  # the admin's catch-all
            url = f"/{ADMIN_PREFIX}no-such-page/"
        else:
            try:
                url = reverse(route.name, kwargs={p: "1" for p in route.parameters})
            except NoReverseMatch:
                url = reverse(route.name, kwargs={p: "auth" for p in route.parameters})
        for actor in world.actors.values():
            with transaction.atomic():
                response = actor.client.get(url)
                transaction.set_rollback(True)
            redirected = response.status_code == 302 and response["Location"].startswith(sign_in)
            if not redirected:
                failures.append(f"{url} as {actor.key}: {response.status_code}")
    assert not failures, "\n".join(failures)
