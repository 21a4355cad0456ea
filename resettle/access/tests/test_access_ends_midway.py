"""Access that ends midway is gone on the next request, on every route of the authorization
matrix (DESIGN §4: what a principal may see is worked out once per request, never kept).

For each route, and each way access ends (the member's membership ends, the person withdraws
consent, the sharing agreement ends), the same client (the same session, the same API token)
makes a request the matrix allows, access ends, and the next request on the route must answer
as the matrix's oracle says for the world after: refused where the ending takes the route away.
A route the ending does not take away from anyone (a public page, an organisation's details
after consent is withdrawn) has nothing to show here."""

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction

from resettle.access.tests.matrix.oracle import Outcome
from resettle.access.tests.matrix.routes import DECISIONS, Route, all_routes
from resettle.access.tests.matrix.runner import judge, route_url, send
from resettle.access.tests.matrix.scenario import OWN, SHARED, TODAY, Actor, Records, World
from resettle.accounts.models import Membership
from resettle.consent.models import Consent
from resettle.partnerships.models import SharingAgreement

pytestmark = pytest.mark.django_db

ROUTES = [route for route in all_routes() if route.key in DECISIONS]
REFUSED = (Outcome.NOT_FOUND, Outcome.FORBIDDEN, Outcome.INVALID)


@dataclasses.dataclass(frozen=True)
class Ending:
    """A way access ends: the write that ends it (for an actor and a scope's records), and the
    actor and world the oracle judges the next request by, stated as data."""

    end: Callable[[Actor, Records, World], None]
    after: Callable[[Actor, World], tuple[Actor, World]]
    # The scopes it can take away: consent and agreements only where they share the record.
    scopes: tuple[str | None, ...]


def _end_membership(actor: Actor, records: Records, world: World) -> None:
    assert actor.membership is not None, "only a member of staff has a membership to end"
    membership = Membership.objects.get(pk=actor.membership.pk)
    membership.ended_on = TODAY - timedelta(days=1)
    membership.save()


def _withdraw_consent(actor: Actor, records: Records, world: World) -> None:
    consent = Consent.objects.get(pk=records.consent.pk)
    consent.withdrawn_on = TODAY
    consent.save()


def _end_agreement(actor: Actor, records: Records, world: World) -> None:
    agreement = SharingAgreement.objects.get(pk=world.agreements["main"].pk)
    agreement.ends_on = TODAY
    agreement.save()


def _without_grants(world: World, gone: Callable[[frozenset[str]], frozenset[str]]) -> World:
    return dataclasses.replace(
        world, grants={key: granted - gone(granted) for key, granted in world.grants.items()}
    )


ENDINGS = {
    "membership ended": Ending(
        _end_membership,
        lambda actor, world: (dataclasses.replace(actor, membership_ended=True), world),
        (None, OWN, SHARED),
    ),
    # Every agreement rests on consent: for this person, none gives anything now.
    "consent withdrawn": Ending(
        _withdraw_consent,
        lambda actor, world: (actor, _without_grants(world, lambda granted: granted)),
        (SHARED,),
    ),
    "agreement ended": Ending(
        _end_agreement,
        lambda actor, world: (
            actor,
            _without_grants(world, lambda _: frozenset(world.agreements["main"].categories)),
        ),
        (SHARED,),
    ),
}


def _method(route: Route) -> str:
    if route.kind == "api":
        return route.method
    return DECISIONS[route.key].methods[0]


def _taken_away(route: Route, ending: Ending, world: World):
    """The first actor and scope the matrix lets use the route now and refuses once access
    ends this way: (actor, scope, records, URL, what the oracle expects after), or None."""
    decision = DECISIONS[route.key]
    none = decision.about == "none"
    for actor in world.actors.values():
        for scope in ending.scopes:
            if actor.anonymous or (scope is None) != none:
                continue
            if decision.rule(actor, scope, world) is not Outcome.ALLOW:
                continue
            actor_after, world_after = ending.after(actor, world)
            expected = decision.rule(actor_after, scope, world_after)
            if expected not in REFUSED:
                continue
            records = world.records(actor, scope)
            url = route_url(route, decision, records)
            if url is not None:
                return actor, scope, records, url, expected
    return None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.key)
def test_access_ended_midway_is_refused_on_the_next_request(route, world):
    decision = DECISIONS[route.key]
    method = _method(route)
    failures = []
    for way, ending in ENDINGS.items():
        found = _taken_away(route, ending, world)
        if found is None:
            continue
        actor, scope, records, url, expected = found
        if way == "membership ended" and route.kind == "api":
            # A token whose user is no longer a member of any organisation stops working.
            expected = Outcome.SIGN_IN
        with transaction.atomic():
            before = send(actor, route, method, url, decision, records)
            ending.end(actor, records, world)
            after = send(actor, route, method, url, decision, records)
            transaction.set_rollback(True)
        why = judge(Outcome.ALLOW, before, route.kind)
        if why:
            failures.append(f"{way}: as {actor.key} on {scope}, before it ended: {why}")
            continue
        why = judge(expected, after, route.kind)
        if why:
            failures.append(
                f"{way}: as {actor.key} on {scope}, after it ended: {after.status_code}, "
                f"expected {expected.value}: {why}"
            )
    assert not failures, "\n".join(failures)
