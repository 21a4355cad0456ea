"""Changing one's password, and the rules a new password must meet."""

import pytest
from django.urls import reverse

from conftest import CAST_PASSWORD

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
NEW_PASSWORD = "lantern-orchard-violet-93"


def change(client, old: str, new: str, again: str | None = None):
    return client.post(
        CHANGE,
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


def test_the_page_asks_for_the_current_and_new_password(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(CHANGE)
    assert response.status_code == 200
    assert b"Change your password" in response.content
    assert b"Current password" in response.content
    assert b"At least 12 characters" in response.content
    assert b"autofocus" not in response.content


def test_the_status_page_links_to_it(client, cast):
    client.force_login(cast.caseworker.user)
    assert CHANGE.encode() in client.get(reverse("accounts:mfa_status")).content


def test_a_good_new_password_is_saved_and_keeps_the_person_signed_in(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, CAST_PASSWORD, NEW_PASSWORD)
    assert response.url == reverse("accounts:mfa_status")
    cast.caseworker.user.refresh_from_db()
    assert cast.caseworker.user.check_password(NEW_PASSWORD)
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Your password has been changed" in page.content


def test_a_common_password_is_refused(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, CAST_PASSWORD, "password1234")
    assert response.status_code == 200
    assert b"This password is too common." in response.content
    assert b'<a href="#id_new_password1">This password is too common.</a>' in response.content
    cast.caseworker.user.refresh_from_db()
    assert cast.caseworker.user.check_password(CAST_PASSWORD)


def test_a_short_password_is_refused(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, CAST_PASSWORD, "Xy7#qlm2")
    assert b"This password is too short. It must contain at least 12 characters." in (
        response.content
    )


def test_a_password_of_only_numbers_is_refused(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, CAST_PASSWORD, "583920174628")
    assert b"This password is entirely numeric." in response.content


def test_the_wrong_current_password_is_refused(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, "not-my-password", NEW_PASSWORD)
    assert b"Your current password is not right" in response.content


def test_the_new_passwords_must_match(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, CAST_PASSWORD, NEW_PASSWORD, again="lantern-orchard-violet-94")
    assert b"The new passwords do not match" in response.content


def test_empty_answers_get_gov_uk_messages(client, cast):
    client.force_login(cast.caseworker.user)
    response = change(client, "", "", again="")
    assert b"Enter your current password" in response.content
    assert b"Enter a new password" in response.content
    assert b"Enter your new password again" in response.content


def test_changing_a_password_needs_sign_in(client, db):
    assert client.get(CHANGE).url == f"{reverse('accounts:login')}?next={CHANGE}"
