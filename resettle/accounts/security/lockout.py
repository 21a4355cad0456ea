"""Lockout after repeated failed sign-ins, by django-axes (settings: AXES_*): a username after
AXES_FAILURE_LIMIT wrong passwords, and an address after SIGN_IN_ADDRESS_FAILURE_LIMIT failures
across any usernames (password spraying), each for AXES_COOLOFF_TIME."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def address_is_spraying(request: HttpRequest) -> bool:
    """Whether this address failed to sign in, whatever the usernames, too often of late."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessFailureLog.objects.filter(
        ip_address=get_client_ip_address(request), attempt_time__gte=since
    )
    return failures.count() >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check that refuses a locked-out username before its password is tried.

    Axes refuses to authenticate without a request. A call without one (the test client's
    `login`, a management command) comes from code on the server, which no one can use to guess
    passwords, so it is left to the next backend rather than failing."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs) -> None:
        if request is None:
            return None
        if address_is_spraying(request):
            # Flagged as axes flags its own lockouts: the attempt is not counted again, and the
            # middleware shows the locked-out page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("Too many failed sign-ins from this address")
        return super().authenticate(request, *args, **kwargs)


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown instead of the sign-in form once a username is locked out."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": cool_off_minutes()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
