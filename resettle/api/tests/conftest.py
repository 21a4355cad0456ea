"""People for the cast to work with through the API, and the shape of its problems."""

from resettle.accounts.models import Membership
from resettle.people.models import Person
from resettle.people.services import person_create


def add_person(actor: Membership, **data) -> Person:
    """A person whom `actor`'s organisation works with (so the actor can see them)."""
    identifiers = data.pop("identifiers", None)
    data.setdefault("given_name", "Alex")
    data.setdefault("family_name", "Morgan")
    return person_create(actor=actor, data=data, identifiers=identifiers)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    return body


def error_fields(response) -> set[str | None]:
    return {error["field"] for error in assert_problem(response, 400)["errors"]}
