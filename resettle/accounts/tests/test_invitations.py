"""Invitations: an admin invites someone, the e-mailed link lets them choose a username and
password and set up an authenticator in one journey, and the link then stops working; links
expire, can be revoked and sent again; and `create_first_admin` bootstraps an empty database."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.accounts import services
from resettle.accounts.invitation_views import JOURNEY_KEY
from resettle.accounts.invitations import hash_token
from resettle.accounts.models import Invitation, InvitationPurpose, Membership, Role, User
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db

BASE_URL = "https://resettle.example.org/"
PASSWORD = "orchard-lantern-violet-27"


@pytest.fixture
def mfa_enforced(settings):
    """As production has it (the test environment leaves it off)."""
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False


def code_for_key(key: str, at: float | None = None) -> str:
    device = TOTPDevice(key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return str(totp.token()).zfill(device.digits)


def invite(cast, django_capture_on_commit_callbacks, **overrides) -> tuple[Invitation, str]:
    fields = {
        "email": "Robin.Newstarter@example.org",
        "first_name": "Robin",
        "last_name": "Newstarter",
        "role": Role.CASEWORKER,
    }
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = services.invitation_create(
            actor=cast.admin, base_url=BASE_URL, **(fields | overrides)
        )
    return invitation, link.removeprefix(BASE_URL.rstrip("/"))


def accept(client, path: str, *, username: str = "robin", password: str = PASSWORD):
    """The whole journey; returns the last response."""
    client.post(path, {"username": username, "password1": password, "password2": password})
    key = client.session[JOURNEY_KEY]["totp_key"]
    return client.post(f"{path}authenticator/", {"code": code_for_key(key)})


# Inviting


def test_an_admin_invites_someone_and_they_are_emailed_a_one_time_link(
    cast, django_capture_on_commit_callbacks
):
    invitation, path = invite(cast, django_capture_on_commit_callbacks)
    assert invitation.email == "robin.newstarter@example.org"
    assert invitation.organisation == cast.lead_charity
    assert invitation.status() == "pending"
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    token = path.rstrip("/").rsplit("/", 1)[1]
    # Only a hash of the token is stored.
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["robin.newstarter@example.org"]
    assert f"{BASE_URL.rstrip('/')}{path}" in message.body
    assert "New Leaf Northshire" in message.body
    assert AuditEvent.objects.filter(object_type="invitation", action="create").exists()


def test_the_invite_page_sends_the_invitation(client_as, cast, django_capture_on_commit_callbacks):
    client = client_as(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff_invite"),
            {
                "first_name": "Sam",
                "last_name": "Carter",
                "email": "sam.carter@example.org",
                "role": Role.PEER_MENTOR,
                "is_safeguarding_lead": "true",
            },
        )
    assert response.url == reverse("accounts:staff_list")
    invitation = Invitation.objects.get(email="sam.carter@example.org")
    assert invitation.role == Role.PEER_MENTOR
    assert invitation.is_safeguarding_lead
    assert not invitation.is_data_protection_lead
    assert len(mail.outbox) == 1


def test_the_invite_page_explains_what_is_missing(client_as, cast):
    response = client_as(cast.admin).post(reverse("accounts:staff_invite"), {"email": "nope"})
    assert response.status_code == 200
    for message in (
        b"Enter their first name",
        b"Enter their last name",
        b"Enter an email address in the correct format",
        b"Select a role",
    ):
        assert message in response.content
    assert not Invitation.objects.exists()


def test_an_email_already_in_use_is_refused(cast, django_capture_on_commit_callbacks):
    cast.caseworker.user.email = "taken@example.org"
    cast.caseworker.user.save()
    with pytest.raises(Exception, match="already uses Resettle"):
        invite(cast, django_capture_on_commit_callbacks, email="Taken@example.org")


def test_a_second_invitation_to_a_waiting_address_is_refused(
    cast, django_capture_on_commit_callbacks
):
    invite(cast, django_capture_on_commit_callbacks)
    with pytest.raises(Exception, match="send it again instead"):
        invite(cast, django_capture_on_commit_callbacks)


@pytest.mark.parametrize("who", ["caseworker", "manager", "safeguarding", "outsider"])
def test_only_an_admin_may_invite(cast, who, client_as):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=getattr(cast, who),
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Role.CASEWORKER,
            base_url=BASE_URL,
        )
    assert client_as(getattr(cast, who)).get(reverse("accounts:staff_invite")).status_code == 403


def test_signed_out_the_invite_page_asks_to_sign_in(client_as, cast):
    response = client_as(None).get(reverse("accounts:staff_invite"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Accepting


def test_the_invitee_chooses_a_password_and_sets_up_an_authenticator_in_one_journey(
    client, cast, django_capture_on_commit_callbacks, mfa_enforced
):
    invitation, path = invite(cast, django_capture_on_commit_callbacks)
    first = client.get(path)
    assert first.status_code == 200
    assert b"Choose a username and password" in first.content

    response = accept(client, path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_recovery_codes"))
    user = User.objects.get(username="robin")
    assert user.check_password(PASSWORD)
    assert (user.first_name, user.last_name) == ("Robin", "Newstarter")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (cast.lead_charity, Role.CASEWORKER)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10
    invitation.refresh_from_db()
    assert invitation.status() == "accepted"
    assert invitation.user == user
    # Signed in, having passed two-factor sign-in: the recovery codes, then home.
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("web:home")).status_code == 200


def test_the_link_works_once(client, cast, django_capture_on_commit_callbacks):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    accept(client, path)
    client.logout()
    response = client.get(path)
    assert response.status_code == 404
    assert b"This invitation link does not work" in response.content


def test_they_then_sign_in_with_password_and_code(
    client, cast, django_capture_on_commit_callbacks, mfa_enforced
):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    accept(client, path)
    client.logout()
    device = TOTPDevice.objects.get(user__username="robin")
    client.post(reverse("accounts:login"), {"username": "robin", "password": PASSWORD})
    assert client.get(reverse("web:home")).url.startswith(reverse("accounts:mfa_verify"))
    # A later code than the one used to enrol (the same code cannot be used twice).
    later = code_for_key(device.key, at=timezone.now().timestamp() + 30)
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        response = client.post(reverse("accounts:mfa_verify"), {"code": later})
        assert response.status_code == 302
        assert client.get(reverse("web:home")).status_code == 200


def test_a_wrong_code_stores_nothing(client, cast, django_capture_on_commit_callbacks):
    invitation, path = invite(cast, django_capture_on_commit_callbacks)
    client.post(path, {"username": "robin", "password1": PASSWORD, "password2": PASSWORD})
    key = client.session[JOURNEY_KEY]["totp_key"]
    wrong = str((int(code_for_key(key)) + 500_000) % 1_000_000).zfill(6)
    response = client.post(f"{path}authenticator/", {"code": wrong})
    assert b"The code is not right or has expired" in response.content
    assert not User.objects.filter(username="robin").exists()
    invitation.refresh_from_db()
    assert invitation.status() == "pending"


def test_a_weak_password_or_taken_username_is_refused(
    client, cast, django_capture_on_commit_callbacks
):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    response = client.post(
        path, {"username": "caseworker", "password1": "password", "password2": "password"}
    )
    assert b"Someone already has this username" in response.content
    assert b"too short" in response.content or b"too common" in response.content
    assert JOURNEY_KEY not in client.session


def test_the_authenticator_step_needs_the_first_step_in_this_browser(
    client, cast, django_capture_on_commit_callbacks
):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    response = client.get(f"{path}authenticator/")
    assert response.url == path


def test_an_expired_link_does_not_work(client, cast, django_capture_on_commit_callbacks):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert client.get(path).status_code == 404


def test_a_made_up_link_does_not_work(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404


def test_someone_signed_in_is_asked_to_sign_out_first(
    client_as, cast, django_capture_on_commit_callbacks
):
    _, path = invite(cast, django_capture_on_commit_callbacks)
    response = client_as(cast.caseworker).get(path)
    assert response.status_code == 409
    assert b"Sign out to use this invitation" in response.content


# Revoking and sending again


def test_a_revoked_invitation_stops_working(client, cast, django_capture_on_commit_callbacks):
    invitation, path = invite(cast, django_capture_on_commit_callbacks)
    services.invitation_revoke(actor=cast.admin, invitation=invitation)
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(object_id=str(invitation.pk), action="state_change").exists()


def test_sending_again_makes_a_new_link_and_the_old_one_stops(
    client, cast, django_capture_on_commit_callbacks
):
    invitation, old_path = invite(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new_link = services.invitation_resend(
            actor=cast.admin, invitation=invitation, base_url=BASE_URL
        )
    new_path = new_link.removeprefix(BASE_URL.rstrip("/"))
    assert new_path != old_path
    assert len(mail.outbox) == 2
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_an_expired_invitation_can_be_sent_again(
    client_as, cast, django_capture_on_commit_callbacks
):
    invitation, _ = invite(cast, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client_as(cast.admin).post(
            reverse("accounts:invitation_resend", args=[invitation.pk])
        )
        assert response.url == reverse("accounts:staff_list")
        invitation.refresh_from_db()
        assert invitation.status() == "pending"


def test_an_accepted_invitation_cannot_be_revoked_or_sent_again(
    client, cast, django_capture_on_commit_callbacks
):
    invitation, path = invite(cast, django_capture_on_commit_callbacks)
    accept(client, path)
    invitation.refresh_from_db()
    with pytest.raises(Exception, match="cannot be sent again"):
        services.invitation_resend(actor=cast.admin, invitation=invitation, base_url=BASE_URL)
    with pytest.raises(Exception, match="waiting can be revoked"):
        services.invitation_revoke(actor=cast.admin, invitation=invitation)


def test_another_organisations_admin_cannot_touch_an_invitation(
    client_as, cast, django_capture_on_commit_callbacks
):
    invitation, _ = invite(cast, django_capture_on_commit_callbacks)
    other_admin = Membership.objects.create(
        user=User.objects.create_user(username="otheradmin", password=PASSWORD),
        organisation=cast.housing_provider,
        role=Role.ORGANISATION_ADMIN,
    )
    client = client_as(other_admin)
    for name in ("accounts:invitation_resend", "accounts:invitation_revoke"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=other_admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status() == "pending"


# Enrolling again after a reset


def test_after_a_reset_the_link_sets_a_new_password_and_authenticator(
    client, cast, django_capture_on_commit_callbacks
):
    user = cast.caseworker.user
    user.email = "casey@example.org"
    user.save()
    old = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        link = services.two_factor_reset(
            actor=cast.admin, membership=cast.caseworker, base_url=BASE_URL
        )
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert "Set up two-factor sign-in for Resettle again" in mail.outbox[0].subject
    path = link.removeprefix(BASE_URL.rstrip("/"))
    page = client.get(path)
    assert b"Choose a new password" in page.content
    assert b"Choose a username" not in page.content
    client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    key = client.session[JOURNEY_KEY]["totp_key"]
    response = client.post(f"{path}authenticator/", {"code": code_for_key(key)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert TOTPDevice.objects.get(user=user).key == key
    # No second membership: the account already had one.
    assert Membership.objects.filter(user=user).count() == 1
    invitation = Invitation.objects.get(user=user)
    assert invitation.purpose == InvitationPurpose.ENROL_AGAIN
    assert invitation.status() == "accepted"


# The first admin


def test_create_first_admin_makes_the_organisation_and_prints_a_link(
    client, db, django_capture_on_commit_callbacks
):
    out, err = io.StringIO(), io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_first_admin",
            organisation="Northshire Resettlement Hub",
            kind="lead_charity",
            email="first.admin@example.org",
            first_name="Alex",
            last_name="First",
            base_url="https://resettle.example.org",
            stdout=out,
            stderr=err,
        )
    link = out.getvalue().strip()
    assert re.fullmatch(r"https://resettle\.example\.org/invitation/[\w-]+/", link)
    assert "first administrator" in err.getvalue()
    assert len(mail.outbox) == 1
    path = link.removeprefix("https://resettle.example.org")
    accept(client, path, username="alex")
    membership = Membership.objects.get(user__username="alex")
    assert membership.role == Role.ORGANISATION_ADMIN
    assert membership.organisation.name == "Northshire Resettlement Hub"


def test_create_first_admin_refuses_once_anyone_has_an_account(cast):
    with pytest.raises(CommandError, match="already has users"):
        call_command(
            "create_first_admin",
            organisation="Another",
            kind="other",
            email="sneaky@example.org",
            first_name="S",
            last_name="N",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Invitation.objects.exists()


# An operator's first enrolment


def test_an_operator_enrols_through_a_link_from_the_command_line(client, db, mfa_enforced):
    operator = User.objects.create_superuser(username="operator", password=PASSWORD)
    client.force_login(operator)
    assert client.get(reverse("accounts:mfa_setup")).status_code == 403
    client.logout()

    out = io.StringIO()
    call_command(
        "two_factor_link",
        "operator",
        base_url="https://resettle.example.org",
        stdout=out,
        stderr=io.StringIO(),
    )
    path = out.getvalue().strip().removeprefix("https://resettle.example.org")
    page = client.get(path)
    assert b"Resettle's operators" in page.content
    client.post(path, {"password1": NEW_OPERATOR_PASSWORD, "password2": NEW_OPERATOR_PASSWORD})
    key = client.session[JOURNEY_KEY]["totp_key"]
    response = client.post(f"{path}authenticator/", {"code": code_for_key(key)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=operator).confirmed
    operator.refresh_from_db()
    assert operator.check_password(NEW_OPERATOR_PASSWORD)
    assert not Membership.objects.filter(user=operator).exists()


def test_the_operator_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user called"):
        call_command("two_factor_link", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


NEW_OPERATOR_PASSWORD = "granite-harbour-plover-63"
