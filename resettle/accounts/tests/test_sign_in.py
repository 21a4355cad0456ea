"""Signing in and out, and that pages need a signed-in user."""

import pytest
from django.urls import reverse

from conftest import CAST_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_page_shows_the_form_to_anonymous_visitors(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Sign in to Resettle" in response.content
    assert b'name="username"' in response.content


def test_signing_in_with_correct_details_goes_home(client, cast):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": CAST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("web:home")
    assert client.get(reverse("web:home")).wsgi_request.user.username == "caseworker"


def test_signing_in_follows_a_safe_next_link(client, cast):
    target = reverse("accounts:organisation_list")
    response = client.post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "caseworker", "password": CAST_PASSWORD},
    )
    assert response.url == target


def test_wrong_password_is_refused_with_an_error_summary(client, cast):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content
    assert b"<title>Error: Sign in" in response.content
    assert not response.wsgi_request.user.is_authenticated


def test_empty_sign_in_asks_for_username_and_password(client, db):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    assert b'<a href="#id_username">Enter your username</a>' in response.content
    assert b'<a href="#id_password">Enter your password</a>' in response.content


def test_sign_out_ends_the_session(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("web:home")).status_code == 302


def test_sign_out_by_get_is_not_allowed(client, cast):
    client.force_login(cast.caseworker.user)
    assert client.get(reverse("accounts:logout")).status_code == 405


@pytest.mark.parametrize(
    "url_name", ["web:home", "accounts:organisation_list", "accounts:switch_organisation"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_health_check_needs_no_sign_in(client, db):
    response = client.get(reverse("operations:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
