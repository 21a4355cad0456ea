"""An API client that speaks JSON with a bearer token, and people for the cast to work with."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from resettle.accounts.models import Membership, User
from resettle.api.services import api_token_create
from resettle.people.models import Person
from resettle.people.services import person_create


@dataclass
class ApiClient:
    client: Client
    token: str | None = None

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return sent | (headers or {})

    def get(self, path: str, data: dict | None = None, headers: dict | None = None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, body, headers: dict | None = None):
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path: str, body, headers: dict | None = None):
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )


def token_for(user: User) -> str:
    return api_token_create(user=user, name="Tests").secret


@pytest.fixture
def api_as(client):
    """`api_as(cast.caseworker)` is an API client holding a fresh token for that user."""

    def make(who: Membership | User | None) -> ApiClient:
        if who is None:
            return ApiClient(client)
        user = who.user if isinstance(who, Membership) else who
        return ApiClient(client, token_for(user))

    return make


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
