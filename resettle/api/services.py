"""Writes for API tokens and idempotent replays."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from resettle.accounts.models import User
from resettle.api.models import ApiToken
from resettle.audit.models import AuditAction
from resettle.audit.services import record_event
from resettle.core.exceptions import PermissionDenied

TOKEN_PREFIX = "rst_"  # noqa: S105 -- a public marker that says what the secret is, not a secret
# Seen in the token list so people can tell tokens apart; far too short to guess the rest.
VISIBLE_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# A token's last use is recorded at most this often, so busy clients do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=secret[:VISIBLE_PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    record_event(
        actor=None,
        user=user,
        action=AuditAction.TOKEN_CREATED,
        object_type="apitoken",
        object_id=token.pk,
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice keeps the first time."""
    if token.user_id != user.pk:
        raise PermissionDenied("You can only revoke your own API tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        record_event(
            actor=None,
            user=user,
            action=AuditAction.TOKEN_REVOKED,
            object_type="apitoken",
            object_id=token.pk,
        )
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A bare UPDATE: no read-modify-write race and no change to updated_at.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
