"""Lockout after repeated failed sign-ins, by django-axes (settings: AXES_*): a username after
AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_TIME; and an address that keeps failing
across any usernames (password spraying).

An address is stopped, with a back-off that grows as it keeps failing: after
SIGN_IN_ADDRESS_FAILURE_LIMIT failures within the cool-off, twice that within twice the cool-off,
three times within four times the cool-off, and so on (`BACK_OFF_STEPS`). Attempts while stopped
are not counted, so an address that comes back after each stop to try again is stopped for longer
each time: 15 minutes, then 30, 60, 2 hours, 4 hours.

A spray from many addresses, each trying a few times, is seen overall: once the failures from
every address within the cool-off reach SIGN_IN_OVERALL_FAILURE_LIMIT, an address with
SIGN_IN_FAILURES_UNDER_ATTACK failures of its own is stopped too. An address that has not failed
still signs in, so an attack does not lock everyone out."""

from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

# The back-off's steps: (k + 1) times the address's limit within 2^k cool-offs stops it.
BACK_OFF_STEPS = 5


def address_is_spraying(request: HttpRequest) -> bool:
    """Whether this address failed to sign in, whatever the usernames, too often of late: past
    its limit at any step of the back-off, or past a few failures while the whole service is
    being sprayed."""
    now = timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    longest = now - cool_off * 2 ** (BACK_OFF_STEPS - 1)
    failed_at = list(
        AccessFailureLog.objects.filter(
            ip_address=get_client_ip_address(request), attempt_time__gte=longest
        ).values_list("attempt_time", flat=True)
    )
    if not failed_at:
        return False
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    for step in range(BACK_OFF_STEPS):
        since = now - cool_off * 2**step
        if sum(1 for at in failed_at if at >= since) >= limit * (step + 1):
            return True
    recent = sum(1 for at in failed_at if at >= now - cool_off)
    return recent >= settings.SIGN_IN_FAILURES_UNDER_ATTACK and service_is_sprayed(now)


def service_is_sprayed(now: datetime) -> bool:
    """Whether failures from every address together, within the cool-off, reached the overall
    limit."""
    since = now - settings.AXES_COOLOFF_TIME
    overall = AccessFailureLog.objects.filter(attempt_time__gte=since)
    return overall.count() >= settings.SIGN_IN_OVERALL_FAILURE_LIMIT


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
