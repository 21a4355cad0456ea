"""The error pages: GOV.UK styled, the right status, and no internals."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_unknown_page_shows_the_styled_404(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-heading-l" in response.content
    assert b"/static/resettle.css" in response.content


def test_server_error_page_hides_the_traceback(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.caseworker.user)
    with override_settings(ROOT_URLCONF="resettle.web.tests.broken_urls", DEBUG=False):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with Resettle" in response.content
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content
