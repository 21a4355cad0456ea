"""Sign-in, sign-out and failed sign-in, recorded from Django's authentication signals."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from resettle.accounts.middleware import current_memberships
from resettle.accounts.models import User
from resettle.audit.models import AuditAction
from resettle.audit.services import USERNAME_LENGTH, record_event


def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    # The acting membership is chosen after sign-in; until then it is the first, as in
    # ActingOrganisationMiddleware.
    actor = current_memberships(user).order_by("created_at").first()
    record_event(
        actor=actor,
        user=user,
        action=AuditAction.SIGN_IN,
        object_type="user",
        object_id=user.pk,
        request=request,
    )


def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:  # signing out when not signed in
        return
    record_event(
        actor=getattr(request, "actor", None),
        user=user,
        action=AuditAction.SIGN_OUT,
        object_type="user",
        object_id=user.pk,
        request=request,
    )


def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password with asterisks in `credentials`; only the
    # username tried is kept, never any other credential.
    attempted = str(credentials.get("username") or "")[:USERNAME_LENGTH]
    record_event(
        actor=None,
        username=attempted,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="user",
        request=request,
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")
