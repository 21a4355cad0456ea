"""Bearer-token authentication. A token acts as its user, in one of their current memberships,
so every endpoint asks the access policy exactly what it would ask for that user's pages."""

import uuid
from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from resettle.access.core import Access
from resettle.accounts.middleware import memberships_of
from resettle.accounts.models import Membership, User
from resettle.api.errors import ApiProblem
from resettle.api.models import ApiToken
from resettle.api.services import api_token_mark_used, hash_secret
from resettle.core.http import ResettleRequest
from resettle.core.prepared import Param, Prepared

ORGANISATION_HEADER = "X-Resettle-Organisation"


@dataclass(frozen=True)
class ApiClient:
    token: ApiToken
    user: User
    actor: Membership | None  # None only for a platform operator


def _acting_membership(request: HttpRequest, user: User) -> Membership | None:
    memberships = memberships_of(user)
    for each in memberships:
        each.user = user  # read already: the audit of the request names them
    requested = request.headers.get(ORGANISATION_HEADER, "").strip()
    if not requested:
        return memberships[0] if memberships else None
    try:
        organisation_id = uuid.UUID(requested)
    except ValueError:
        organisation_id = None
    membership = next((m for m in memberships if m.organisation_id == organisation_id), None)
    if membership is None:
        raise ApiProblem(
            403, f"{ORGANISATION_HEADER} must be the id of an organisation you are a member of."
        )
    return membership


# Every API request looks its token up: prepared once (resettle/core/prepared.py).
TOKEN_BY_HASH = Prepared(
    lambda: ApiToken.objects.select_related("user").filter(
        token_hash=Param("token_hash", ApiToken._meta.get_field("token_hash"))
    )
)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        if not token:
            return None
        rows = TOKEN_BY_HASH(token_hash=hash_secret(token))
        found = rows[0] if rows else None
        if found is None or not found.is_usable or not found.user.is_active:
            return None
        actor = _acting_membership(request, found.user)
        if actor is None and not found.user.is_superuser:
            # A user whose memberships have all ended acts for no one: the token no longer works.
            # Platform operators act for no organisation and keep theirs.
            return None
        api_token_mark_used(token=found)
        # Code shared with the pages reads the user and actor from the request.
        # The request passed ActingOrganisationMiddleware, so it has these attributes already.
        resettle_request = cast(ResettleRequest, request)
        resettle_request.user = found.user
        resettle_request.actor = actor
        # What the token's principal may see, worked out afresh for this request.
        resettle_request.access = Access.for_request(actor)
        return ApiClient(token=found, user=found.user, actor=actor)
