"""Middleware for two-factor sign-in and the idle-session timeout."""

import time

import django_otp.middleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.accounts.security import mfa
from resettle.core.prepared import Param, Prepared

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_KEY = "signed_in_at"
# The time of the last request is written to the session at most this often: a request soon
# after the last one written leaves the session unchanged, so it is not saved again.
LAST_SEEN_RESOLUTION_SECONDS = 30

# Pages someone who still has to pass two-factor sign-in may use: the ones that let them pass
# it, and signing out.
MFA_OPEN_URL_NAMES = frozenset({"mfa_setup", "mfa_verify", "mfa_verify_recovery", "logout"})


def record_sign_in_as_activity(sender, request: HttpRequest, user, **kwargs) -> None:
    """Signing in is activity: the session starts with its time, so the first page after it
    need not write the session again."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LAST_SEEN_KEY] = now
        request.session[SIGNED_IN_KEY] = now


class IdleTimeoutMiddleware:
    """Signs out a session that has made no request for SESSION_IDLE_SECONDS, or that began
    more than SESSION_MAX_SECONDS ago however busy it has been (a stolen session cookie stops
    working within a working day), and tells the person why on the sign-in page.

    The last request's time is written at most every LAST_SEEN_RESOLUTION_SECONDS, so busy
    sessions are not rewritten on every request. The request last seen may thus be up to that
    much later than the one written, and the limit allows for it: nobody is signed out before
    SESSION_IDLE_SECONDS without a request, and everyone is by that and half a minute more."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SESSION_IDLE_SECONDS + LAST_SEEN_RESOLUTION_SECONDS
            signed_in_at = request.session.get(SIGNED_IN_KEY)
            if last_seen is not None and now - last_seen > idle_limit:
                minutes = settings.SESSION_IDLE_SECONDS // 60
                return _sign_out(
                    request, f"you were inactive for {minutes} minutes", request.get_full_path()
                )
            if signed_in_at is not None and now - signed_in_at > settings.SESSION_MAX_SECONDS:
                hours = settings.SESSION_MAX_SECONDS // 3600
                return _sign_out(
                    request, f"you signed in more than {hours} hours ago", request.get_full_path()
                )
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _sign_out(request: HttpRequest, because: str, then: str) -> HttpResponse:
    logout(request)
    messages.info(request, f"You were signed out because {because}. Sign in again to carry on.")
    return redirect_to_login(then)


class MFARequiredMiddleware:
    """Sends a signed-in user who must use two-factor sign-in, and has not passed it in this
    session, to set it up (no authenticator yet) or to enter a code.

    Pages open without signing in (marked @login_not_required, which includes the API: it
    authenticates with bearer tokens, not sessions) are left alone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match and match.namespace == "accounts" and match.url_name in MFA_OPEN_URL_NAMES:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or not mfa.must_use_mfa(user):
            return None
        step = "accounts:mfa_verify" if mfa.authenticator(user) else "accounts:mfa_setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


# The session's authenticator app, read on every signed-in request: prepared once.
TOTP_DEVICE = Prepared(lambda: TOTPDevice.objects.filter(id=Param("id", TOTPDevice._meta.pk)))


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware, reading an authenticator app by a prepared query; other kinds of
    device (recovery codes) as django-otp reads them. django-otp then checks, as always, that
    the device is the user's and confirmed."""

    def _device_from_persistent_id(self, persistent_id: str):
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label == TOTPDevice._meta.label_lower and device_id.isdigit():
            found = TOTP_DEVICE(id=int(device_id))
            return found[0] if found else None
        return super()._device_from_persistent_id(persistent_id)
