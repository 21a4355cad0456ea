"""Pieces every endpoint module shares: who is acting, documented headers and error codes."""

from django.http import HttpRequest

from resettle.accounts.models import Membership
from resettle.api.auth import ApiClient
from resettle.api.schemas import Problem


def client_of(request: HttpRequest) -> ApiClient:
    return request.auth  # set by TokenAuth on every authenticated operation


def actor_of(request: HttpRequest) -> Membership | None:
    return client_of(request).actor


def problems(*codes: int) -> dict[int, type[Problem]]:
    """Error responses for the OpenAPI schema; 401 applies to every authenticated operation."""
    return dict.fromkeys((401, *codes), Problem)


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag from your last read. If the record has changed since, the update "
    "is refused with 409 and nothing is saved.",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A unique value per intended change (a UUID, say). Retrying with the same key "
    "and body within 24 hours returns the first response instead of creating again; the same "
    "key with a different body is refused with 422.",
}
