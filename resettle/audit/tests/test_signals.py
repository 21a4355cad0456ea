import pytest
from django.urls import reverse

from resettle.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:login")


def test_signing_in_is_recorded(client, cast):
    client.post(
        SIGN_IN,
        {"username": "caseworker", "password": cast.password},
        REMOTE_ADDR="192.0.2.1",
        HTTP_USER_AGENT="Test browser",
    )

    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert event.username == "caseworker"
    assert event.user_id == cast.caseworker.user_id
    assert event.organisation_id == cast.lead_charity.pk
    assert (event.ip, event.user_agent) == ("192.0.2.1", "Test browser")


def test_a_failed_sign_in_records_the_username_tried_and_never_the_password(client, cast):
    client.post(SIGN_IN, {"username": "caseworker", "password": "guess-one-two-three"})

    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.username == "caseworker"
    assert event.user_id is None
    stored = " ".join(str(value) for value in AuditEvent.objects.values_list().get())
    assert "guess-one-two-three" not in stored


def test_a_sign_in_with_an_unknown_username_is_recorded(client, db):
    client.post(SIGN_IN, {"username": "nobody", "password": "whatever-it-is"})

    assert AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED).username == "nobody"


def test_signing_out_is_recorded(client, cast):
    client.force_login(cast.caseworker.user)

    client.post(reverse("accounts:logout"))

    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.username == "caseworker"
    assert event.organisation_name == "New Leaf Northshire"
