"""Pieces every endpoint module shares: who is acting, documented headers and error codes."""

from resettle.accounts.models import Membership
from resettle.api.auth import ApiClient
from resettle.api.schemas import Problem
from resettle.core.exceptions import PermissionDenied
from resettle.core.http import ApiRequest

NO_ORGANISATION = (
    "A platform operator acts for no organisation, so may read and change no one's records."
)


def client_of(request: ApiRequest) -> ApiClient:
    return request.auth  # set by TokenAuth on every authenticated operation


def actor_of(request: ApiRequest) -> Membership | None:
    return client_of(request).actor


def acting_member(request: ApiRequest) -> Membership:
    """The membership a change is made in, for a service (which needs one to record who made it).
    Only a platform operator's token acts for no organisation; it changes no one's records."""
    actor = actor_of(request)
    if actor is None:
        raise PermissionDenied(NO_ORGANISATION)
    return actor


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
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S"},
    "description": "A unique value per intended change (a UUID, say). Retrying with the same key "
    "and body within 24 hours returns the first response instead of creating again; the same "
    "key with a different body is refused with 422.",
}
