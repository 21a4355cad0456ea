import re

import pytest
from django.urls import reverse

from resettle.api.models import ApiToken
from resettle.api.services import api_token_create, api_token_revoke
from resettle.testing import ApiClient

pytestmark = pytest.mark.django_db

TOKENS = "/account/api-tokens/"


@pytest.fixture
def caseworker_client(client, cast):
    client.force_login(cast.caseworker.user)
    return client


def test_the_url_name_is_the_one_the_header_links_to():
    assert reverse("accounts:api_tokens") == TOKENS


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_lists_only_your_own_tokens_with_their_status(caseworker_client, cast):
    api_token_create(user=cast.caseworker.user, name="Nightly import")
    old = api_token_create(user=cast.caseworker.user, name="Old laptop")
    api_token_revoke(user=cast.caseworker.user, token=old.token)
    api_token_create(user=cast.mentor.user, name="Someone else's")

    response = caseworker_client.get(TOKENS)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nightly import" in html
    assert "Old laptop" in html
    assert "Revoked" in html
    assert "Someone else" not in html
    assert "Never" in html  # last used


def test_creating_a_token_shows_the_secret_once(caseworker_client, cast):
    response = caseworker_client.post(
        reverse("accounts:api_token_create"), {"name": "Weekly report", "expires_in": "30"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'value="(rst_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=cast.caseworker.user)
    assert token.name == "Weekly report"
    assert token.expires_at is not None
    assert "no-store" in response["Cache-Control"]
    assert secret not in caseworker_client.get(TOKENS).content.decode()
    # The secret shown works against the API.
    assert ApiClient(caseworker_client, secret).get("/api/v1/people").status_code == 200


def test_a_token_that_does_not_expire_can_be_made(caseworker_client, cast):
    caseworker_client.post(
        reverse("accounts:api_token_create"), {"name": "Service", "expires_in": "never"}
    )

    assert ApiToken.objects.get(user=cast.caseworker.user).expires_at is None


def test_a_token_needs_a_name(caseworker_client, cast):
    response = caseworker_client.post(reverse("accounts:api_token_create"), {"expires_in": "90"})

    assert response.status_code == 200
    assert "Enter a name for the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_asks_for_confirmation_first(caseworker_client, cast):
    created = api_token_create(user=cast.caseworker.user, name="Script")
    url = reverse("accounts:api_token_revoke", args=[created.token.pk])

    page = caseworker_client.get(url)

    assert page.status_code == 200
    assert "Revoke token" in page.content.decode()
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_confirming_revokes_the_token_and_the_api_refuses_it(caseworker_client, cast):
    created = api_token_create(user=cast.caseworker.user, name="Script")
    url = reverse("accounts:api_token_revoke", args=[created.token.pk])

    response = caseworker_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == TOKENS
    assert "can no longer be used" in response.content.decode()
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    caseworker_client.logout()
    assert ApiClient(caseworker_client, created.secret).get("/api/v1/people").status_code == 401


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_token_is_not_found(caseworker_client, cast, method):
    theirs = api_token_create(user=cast.mentor.user, name="Mentor's")
    url = reverse("accounts:api_token_revoke", args=[theirs.token.pk])

    response = getattr(caseworker_client, method)(url)

    assert response.status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_the_list_page_accepts_only_get(caseworker_client):
    assert caseworker_client.post(TOKENS).status_code == 405
