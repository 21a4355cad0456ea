"""Helpers the tests share: an API client that speaks JSON with a bearer token."""

import json
from dataclasses import dataclass

from django.test import Client

from resettle.accounts.models import User
from resettle.api.services import api_token_create


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
