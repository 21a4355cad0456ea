from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from resettle.accounts.tests.factories import make_user
from resettle.api.models import ApiToken
from resettle.testing import ApiClient

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_working_secret_once(client, cast):
    secret, note = run("caseworker", "--name", "Import script")

    token = ApiToken.objects.get(user=cast.caseworker.user)
    assert token.name == "Import script"
    assert token.expires_at is None
    assert secret.startswith(token.prefix)
    assert "will not be shown again" in note
    assert ApiClient(client, secret).get("/api/v1/people").status_code == 200


def test_it_can_make_a_token_that_expires(cast):
    run("caseworker", "--expires-in-days", "7")

    assert ApiToken.objects.get(user=cast.caseworker.user).expires_at is not None


def test_it_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="no user called"):
        run("nobody")
    assert not ApiToken.objects.exists()


def test_it_refuses_a_switched_off_user():
    make_user(username="gone", is_active=False)

    with pytest.raises(CommandError, match="switched off"):
        run("gone")


def test_it_refuses_an_empty_name(cast):
    with pytest.raises(CommandError):
        run("caseworker", "--name", "")
    assert not ApiToken.objects.exists()
