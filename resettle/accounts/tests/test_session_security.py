"""The idle-session timeout, and the security headers production sends."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from resettle.accounts.security.middleware import (
    LAST_SEEN_KEY,
    LAST_SEEN_RESOLUTION_SECONDS,
    SIGNED_IN_KEY,
)

pytestmark = pytest.mark.django_db

HOME = reverse("web:home")
SIGN_IN = reverse("accounts:login")
TIMED_OUT = b"You were signed out because you were inactive for 30 minutes"


def leave_idle(client, seconds: int) -> None:
    """Move the session's last request back in time, as if nothing had happened since."""
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_longer_than_the_limit_is_signed_out_and_told_why(client, cast, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(cast.caseworker.user)
    client.get(HOME)
    leave_idle(client, 31 * 60)

    response = client.get(reverse("accounts:organisation_list"))
    assert response.status_code == 302
    assert response.url == f"{SIGN_IN}?next=/organisations/"
    page = client.get(response.url)
    assert TIMED_OUT in page.content
    assert not page.wsgi_request.user.is_authenticated
    assert client.get(HOME).status_code == 302


def test_a_session_used_within_the_limit_stays_signed_in(client, cast, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(cast.caseworker.user)
    client.get(HOME)
    leave_idle(client, 29 * 60)
    assert client.get(HOME).status_code == 200
    # The request counted as activity, so the clock starts again.
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5


def test_a_busy_session_still_ends_a_working_day_after_signing_in(client, cast, settings):
    settings.SESSION_MAX_SECONDS = 10 * 60 * 60
    client.force_login(cast.caseworker.user)
    session = client.session
    assert session[SIGNED_IN_KEY] >= int(time.time()) - 5
    session[SIGNED_IN_KEY] = int(time.time()) - 10 * 60 * 60 - 1
    session.save()

    response = client.get(HOME)

    assert response.status_code == 302
    page = client.get(response.url)
    assert b"You were signed out because you signed in more than 10 hours ago" in page.content
    assert not page.wsgi_request.user.is_authenticated


def test_the_sign_in_page_says_nothing_about_inactivity_otherwise(client, cast):
    client.force_login(cast.caseworker.user)
    client.post(reverse("accounts:logout"))
    assert TIMED_OUT not in client.get(SIGN_IN).content


def test_the_session_outlives_the_idle_limit_only_so_the_reason_can_be_shown(settings):
    assert (
        settings.SESSION_COOKIE_AGE > settings.SESSION_IDLE_SECONDS + LAST_SEEN_RESOLUTION_SECONDS
    )


def _session_writes(count_queries, client, path: str) -> int:
    with count_queries() as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"] and query["sql"].startswith(("UPDATE", "INSERT"))
    )


def test_a_busy_session_is_written_at_most_every_half_minute(count_queries, client, cast, settings):
    settings.SESSION_SAVE_EVERY_REQUEST = False
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(cast.caseworker.user)
    client.get(HOME)
    # A request straight after the last one written changes nothing to save.
    assert _session_writes(count_queries, client, HOME) == 0
    # Later, the request is recorded, and the session (and its expiry) saved again.
    leave_idle(client, LAST_SEEN_RESOLUTION_SECONDS)
    assert _session_writes(count_queries, client, HOME) == 1
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5


def test_a_session_idle_just_under_the_limit_since_its_last_write_stays_signed_in(
    client, cast, settings
):
    # The last write may be up to half a minute before the last request: that is not idleness.
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(cast.caseworker.user)
    client.get(HOME)
    leave_idle(client, 30 * 60 + LAST_SEEN_RESOLUTION_SECONDS - 5)
    assert client.get(HOME).status_code == 200


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_SSL_REDIRECT=True,
)
def test_production_responses_carry_the_security_headers(client, db):
    response = client.get(SIGN_IN, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    csrf_cookie = response.cookies["csrftoken"]
    assert csrf_cookie["secure"]
    assert csrf_cookie["samesite"] == "Lax"
    # Plain HTTP is sent to HTTPS.
    insecure = client.get(SIGN_IN)
    assert insecure.status_code == 301
    assert insecure.url.startswith("https://")


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_session_cookie_is_secure_and_hidden_from_scripts(client, cast):
    response = client.post(
        SIGN_IN,
        {"username": "caseworker", "password": cast.password},
        secure=True,
    )
    cookie = response.cookies["sessionid"]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_session_past_its_expiry_date_is_not_read(client, cast):
    client.force_login(cast.caseworker.user)
    assert client.get(HOME).status_code == 200
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)
