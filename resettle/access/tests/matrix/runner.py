"""Sends one route's requests for every actor and scope, and says what went wrong.

Every request runs in a transaction that is rolled back, so a write that succeeds (a withdrawal,
closing a break-glass, signing out) leaves the world as it was for the next request."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

from resettle.access.categories import Category
from resettle.access.tests.matrix.oracle import Outcome, categories, sees_person
from resettle.access.tests.matrix.routes import Decision, Route, record_for
from resettle.access.tests.matrix.scenario import (
    AREA_MARKER,
    CRIMINAL_JUSTICE_IDS,
    NAMES_MARKER,
    OTHER,
    OWN,
    SCOPES,
    Actor,
    Records,
    World,
)

ALLOWED_STATUSES = {200, 201, 202, 204, 301, 302, 303, 400, 409, 422}


@dataclass(frozen=True)
class Failure:
    route: str
    method: str
    actor: str
    scope: str
    expected: str
    got: str
    why: str

    def row(self) -> str:
        return (
            f"{self.route:<58} {self.method:<5} {self.actor:<12} {self.scope:<11} "
            f"{self.expected:<9} {self.got:<5} {self.why}"
        )


def table(failures: list[Failure]) -> str:
    header = f"{'route':<58} {'':<5} {'actor':<12} {'scope':<11} {'expected':<9} {'got':<5} why"
    return "\n".join([header, *(f.row() for f in failures)])


def route_url(route: Route, decision: Decision, records: Records) -> str | None:
    """The route's URL for these records, or None when this scope has no such record."""
    values = {}
    for parameter in route.parameters:
        if parameter == "path":  # the API's catch-all 404
            values[parameter] = "no-such-endpoint"
            continue
        attribute = record_for(route, parameter, decision.about)
        if not hasattr(records, attribute):
            raise LookupError(
                f"{route.key}: the matrix cannot fill <{parameter}>. Add a '{attribute}' to "
                "matrix/scenario.py Records, or name it in routes.PAGE_PARAMETERS."
            )
        record = getattr(records, attribute)
        if record is None:
            return None
        values[parameter] = str(record.pk)
    if route.kind == "api":
        path = route.route
        for parameter, value in values.items():
            path = path.replace("{" + parameter + "}", value)
        return path
    return reverse(route.name, kwargs=values)


def send(actor: Actor, route: Route, method: str, url: str, decision: Decision, records: Records):
    client = actor.client
    assert client is not None, f"{actor.key} has no client"
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    query = decision.query(records) if decision.query else {}
    headers = {}
    if route.kind == "api" and actor.token:
        headers["Authorization"] = f"Bearer {actor.token}"
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, query, headers=headers)
        elif route.kind == "api":
            body = decision.body(records) if decision.body else {}
            if query:
                url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
            response = client.generic(
                method, url, json.dumps(body), content_type="application/json", headers=headers
            )
        else:
            if query:
                url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
            response = client.post(url, {}, headers=headers)
        transaction.set_rollback(True)
    # Signing out or switching organisation changes the session cookie; put it back.
    for name, value in cookies.items():
        client.cookies[name] = value
    return response


def judge(expected: Outcome, response: HttpResponse, kind: str) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    to_sign_in = status in (301, 302, 303) and location.startswith(resolve_url(settings.LOGIN_URL))
    if status >= 500:
        error = getattr(response, "exc_info", None)
        return f"server error {error[1]!r}" if error else "server error"
    if expected is Outcome.ANY:
        return None
    if expected is Outcome.SIGN_IN:
        ok = status == 401 if kind == "api" else to_sign_in
        return None if ok else "anonymous not sent to sign in"
    if expected is Outcome.NOT_FOUND:
        if 200 <= status < 300:
            return "UNEXPECTED 2xx: should be 404, as for a record that does not exist"
        return None if status == 404 else "should be 404, as for a record that does not exist"
    if expected is Outcome.INVALID:
        if 200 <= status < 300:
            return "UNEXPECTED 2xx: names a record the actor may not see; should be 400"
        return None if status == 400 else "should be 400, as for a record that does not exist"
    if expected is Outcome.FORBIDDEN:
        if 200 <= status < 300:
            return "UNEXPECTED 2xx: should be refused (403)"
        return None if status == 403 else "should be 403 (visible, but not this actor's to do)"
    if to_sign_in or status not in ALLOWED_STATUSES:
        return "refused, but the decision says this actor may"
    return None


def _title_problems(response: HttpResponse) -> list[str]:
    """The base layout says "Error: " in the <title> when the page's form has errors; a page
    that says it again reads "Error: Error: ..." to screen readers."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []
    if b"<title>Error: Error:" in response.content:
        return ['the <title> says "Error: " twice']
    return []


def _leaks(actor: Actor, scope: str | None, world: World, response: HttpResponse) -> list[str]:
    """What a successful response shows that this actor should not see."""
    if response.status_code != 200 or response.streaming:
        return []
    body = response.content.decode(errors="replace")
    found = []
    if AREA_MARKER in body and Category.RISK_SUITABILITY not in categories(actor, scope, world):
        found.append("shows suitability answers without risk & suitability")
    if NAMES_MARKER in body and actor.organisation_key != "probation_unit":
        found.append("shows the named people to avoid outside the assessor's organisation")
    for (org, person_scope), person in world.people.items():
        mine = org == actor.organisation_key
        if str(person.pk) in body and not (mine and sees_person(actor, person_scope, world)):
            found.append(f"shows the id of a person it may not see ({org}, {person_scope})")
        if any(value in body for value in CRIMINAL_JUSTICE_IDS[person.pk]):
            seen = categories(actor, person_scope, world) if mine else frozenset()
            if Category.CRIMINAL_JUSTICE_IDS not in seen:
                found.append(f"shows a PNC ID or prison number ({org}, {person_scope})")
    return found


def _methods(route: Route, decision: Decision, expected: Outcome) -> tuple[str, ...]:
    """API operations are sent with their own method. Pages are sent with GET; a page that also
    takes a POST is POSTed (empty) too where the actor sees the record but must be refused, the
    case where a view might check only before showing the form, not before saving."""
    if route.kind == "api":
        return (route.method,)
    if "GET" not in decision.methods or expected is Outcome.FORBIDDEN:
        return decision.methods
    return ("GET",)


def check_route(route: Route, decision: Decision, world: World) -> list[Failure]:
    failures = []
    scopes = SCOPES if decision.about != "none" else (None,)
    for actor in world.actors.values():
        for scope in scopes:
            if actor.anonymous and scope not in (None, OWN):
                continue  # signed out, every record is the same redirect to sign in
            records = world.records(actor, scope)
            url = route_url(route, decision, records)
            if url is None:
                continue
            expected = decision.rule(actor, scope, world)
            for method in _methods(route, decision, expected):
                response = send(actor, route, method, url, decision, records)
                why = judge(expected, response, route.kind)
                why_list = [why] if why else []
                if method == "GET":
                    why_list += _leaks(actor, scope, world, response)
                why_list += _title_problems(response)
                for reason in why_list:
                    failures.append(
                        Failure(
                            route.key,
                            method,
                            actor.key,
                            scope or "-",
                            expected.value,
                            str(response.status_code),
                            reason,
                        )
                    )
    if decision.about != "none":
        failures += _nonexistent(route, decision, world)
    return failures


def _nonexistent(route: Route, decision: Decision, world: World) -> list[Failure]:
    """An id that names nothing must answer as a record the actor may not see does, so guessing
    ids tells nobody which exist. Asked once for each different answer the decision expects
    for another organisation's record (a 404 for most, a role's 403 for some)."""
    method = decision.methods[0] if route.kind == "page" else route.method
    records = Records.nonexistent()
    url = route_url(route, decision, records)
    assert url is not None, f"{route.key}: every parameter names something that does not exist"
    failures, asked = [], set()
    for actor in world.actors.values():
        expected = decision.rule(actor, OTHER, world)
        if actor.anonymous or expected in asked:
            continue
        asked.add(expected)
        response = send(actor, route, method, url, decision, records)
        why = judge(expected, response, route.kind)
        if why is not None:
            failures.append(
                Failure(
                    route.key,
                    method,
                    actor.key,
                    "no such id",
                    expected.value,
                    str(response.status_code),
                    "answers a nonexistent id unlike an invisible one: " + why,
                )
            )
    return failures
