"""Lockout after repeated failed sign-ins, by django-axes (settings: AXES_*)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check that refuses a locked-out username before its password is tried.

    Axes refuses to authenticate without a request. A call without one (the test client's
    `login`, a management command) comes from code on the server, which no one can use to guess
    passwords, so it is left to the next backend rather than failing."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs) -> None:
        if request is None:
            return None
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
