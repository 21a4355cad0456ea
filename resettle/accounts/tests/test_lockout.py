"""Lockout after repeated failed sign-ins (django-axes): 5 wrong passwords for a username lock it
for 15 minutes, whatever the password tried next."""

import io
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import CAST_PASSWORD
from resettle.accounts.security import alerts as alerts_module
from resettle.notifications.models import Notification

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:login")
LOCKED_MESSAGE = (
    b"You have tried to sign in too many times. Wait 15 minutes, or ask your organisation "
    b"admin to unlock your account"
)


def try_password(client, password: str, username: str = "caseworker", **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def fail(client, times: int, username: str = "caseworker", **extra) -> None:
    for _ in range(times):
        try_password(client, "not-the-password", username, **extra)


def test_wrong_passwords_before_the_limit_get_the_normal_error(client, cast):
    fail(client, 3)
    response = try_password(client, "not-the-password")
    assert response.status_code == 200
    assert b"Enter a correct username and password" in response.content
    assert LOCKED_MESSAGE not in response.content


def test_the_fifth_wrong_password_locks_the_username(client, cast):
    fail(client, 4)
    response = try_password(client, "not-the-password")
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content
    assert b'<h1 class="govuk-heading-l">You cannot sign in for now</h1>' in response.content


def test_while_locked_even_the_right_password_is_refused(client, cast):
    fail(client, 5)
    response = try_password(client, CAST_PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("web:home")).status_code == 302


def test_the_lock_holds_from_another_address(client, cast):
    fail(client, 5, REMOTE_ADDR="192.0.2.10")
    response = try_password(client, CAST_PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_other_usernames_are_not_locked(client, cast):
    fail(client, 5)
    response = try_password(client, CAST_PASSWORD, username="mentor")
    assert response.status_code == 302


def test_signing_in_after_fifteen_minutes_works_again(client, cast):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = try_password(client, CAST_PASSWORD)
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_count(client, cast):
    fail(client, 4)
    assert try_password(client, CAST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    fail(client, 3)
    response = try_password(client, "not-the-password")
    assert response.status_code == 200
    assert try_password(client, CAST_PASSWORD).status_code == 302


def test_an_admin_can_unlock_a_username(client, cast):
    fail(client, 5)
    call_command("axes_reset_username", "caseworker", stdout=io.StringIO())
    assert try_password(client, CAST_PASSWORD).status_code == 302


def test_the_test_clients_login_still_works(client, cast):
    assert client.login(username="caseworker", password=CAST_PASSWORD)
    assert client.get(reverse("web:home")).status_code == 200


def test_an_address_trying_many_usernames_is_stopped(client, cast, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 12
    spraying = {"REMOTE_ADDR": "203.0.113.9"}
    for username in ("caseworker", "mentor", "probation", "prison", "coordinator", "family"):
        fail(client, 2, username, **spraying)

    # Even a right password, for a username never tried, is refused from that address...
    response = try_password(client, CAST_PASSWORD, username="housing", **spraying)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    # ...but not from another.
    assert try_password(client, CAST_PASSWORD, username="housing").status_code == 302


def test_trying_again_while_locked_does_not_extend_the_lock(client, cast):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    fail(client, 3)  # while locked: refused, and not counted

    # Fifteen minutes after the fifth failure, not after the last try, the lock is over.
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert try_password(client, CAST_PASSWORD).status_code == 302


def test_a_lock_tells_the_organisation_admin_once(client, cast):
    fail(client, 5)
    fail(client, 3)  # trying on while locked tells no one again

    alerts = Notification.objects.filter(subject=alerts_module.LOCKED)
    assert [n.recipient for n in alerts] == [cast.admin.user]
    assert "caseworker" in alerts[0].body and "5 wrong passwords" in alerts[0].body
    assert "not-the-password" not in alerts[0].body
    # The admin acts from the person's page under Staff, which offers to unlock them.
    assert alerts[0].link == reverse("accounts:staff_detail", args=[cast.caseworker.pk])


def test_spraying_tells_the_admins_of_the_accounts_tried(client, cast, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    spraying = {"REMOTE_ADDR": "203.0.113.9"}
    for username in ("caseworker", "mentor", "probation"):
        fail(client, 2, username, **spraying)
    try_password(client, CAST_PASSWORD, username="housing", **spraying)
    try_password(client, CAST_PASSWORD, username="housing", **spraying)

    alerts = Notification.objects.filter(subject=alerts_module.SPRAYING)
    assert [n.recipient for n in alerts] == [cast.admin.user]
    assert "including your organisation's caseworker." in alerts[0].body


def test_an_address_that_keeps_coming_back_is_stopped_for_longer(client, cast, settings):
    """The back-off: 4 failures stop the address for 15 minutes; failing 4 more after that stops
    it until 8 failures are no longer within 30 minutes."""
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    spraying = {"REMOTE_ADDR": "203.0.113.20"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for username in ("caseworker", "mentor", "probation", "prison"):
            fail(client, 1, username, **spraying)
        assert try_password(client, CAST_PASSWORD, "housing", **spraying).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        # The first stop is over...
        fail(client, 1, "coordinator", **spraying)
        for username in ("family", "manager", "analyst"):
            fail(client, 1, username, **spraying)
        # ...but 8 failures within 30 minutes stop it again.
        assert try_password(client, CAST_PASSWORD, "housing", **spraying).status_code == 429
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        # The first four are older than 30 minutes; the last four are within 15: still stopped.
        assert try_password(client, CAST_PASSWORD, "housing", **spraying).status_code == 429
    with time_machine.travel(start + timedelta(minutes=47), tick=False):
        # Both steps have passed: 4 failures in the last 30 minutes, none in the last 15.
        assert try_password(client, CAST_PASSWORD, "housing", **spraying).status_code == 302


def test_a_spray_from_many_addresses_stops_each_after_a_few_tries(client, cast, settings):
    settings.SIGN_IN_OVERALL_FAILURE_LIMIT = 12
    settings.SIGN_IN_FAILURES_UNDER_ATTACK = 3
    usernames = ("caseworker", "mentor", "probation", "prison")
    for n in range(4):  # four addresses, three failures each: 12 in all
        address = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        for username in usernames[:3]:
            fail(client, 1, username, **address)

    # Each spraying address is stopped, far below its own limit of 30...
    stopped = try_password(client, CAST_PASSWORD, "housing", REMOTE_ADDR="198.51.100.1")
    assert stopped.status_code == 429
    # ...while an address that has not failed still signs in.
    assert (
        try_password(client, CAST_PASSWORD, "housing", REMOTE_ADDR="192.0.2.50").status_code == 302
    )


def test_below_the_overall_limit_a_few_failures_stop_no_one(client, cast, settings):
    settings.SIGN_IN_OVERALL_FAILURE_LIMIT = 100
    address = {"REMOTE_ADDR": "198.51.100.77"}
    for username in ("caseworker", "mentor", "probation"):
        fail(client, 1, username, **address)
    assert try_password(client, CAST_PASSWORD, "housing", **address).status_code == 302
