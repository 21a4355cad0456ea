"""Running the service in the app, in a real browser: an organisation admin invites someone from
the Staff page; the invitee opens the e-mailed link, chooses a username and password, sets up
an authenticator app (the code worked out from the key the page shows, as an app would) and
saves recovery codes; then signs in again. The admin changes their role and deactivates them.
MFA is enforced on the live server, as in production. axe checks every page."""

import base64
import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from resettle.accounts.models import Membership, Role

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "meadow-copper-kettle-84"  # noqa: S105 (test-only)


@pytest.fixture
def mfa_enforced(settings) -> None:
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False


def code_for_key(binary_key: bytes) -> str:
    """What an authenticator app shows now for this key."""
    return str(totp(binary_key)).zfill(6)


def code_for(device: TOTPDevice) -> str:
    number = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(number).zfill(device.digits)


def test_admin_invites_someone_who_sets_up_two_factor_then_signs_in(
    page, sign_in, cast, mfa_enforced
):
    admin_device = TOTPDevice.objects.create(
        user=cast.admin.user, name="Authenticator app", confirmed=True
    )
    sign_in("admin", cast.password)
    page.get_by_label("Code from your authenticator app").fill(code_for(admin_device))
    page.click(page.get_by_role("button", name="Continue"), "admin-home")

    menu = page.get_by_role("navigation", name="Menu")
    page.click(menu.get_by_role("link", name="Staff"), "staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    page.click(page.get_by_role("link", name="Invite someone"), "invite")
    page.click(page.get_by_role("button", name="Send invitation"), "invite-errors")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their first name")
    page.get_by_label("First name").fill("Jamie")
    page.get_by_label("Last name").fill("Newstart")
    page.get_by_label("Email address").fill("jamie.newstart@example.org")
    page.get_by_label("Peer mentor").check()
    page.click(page.get_by_role("button", name="Send invitation"), "invited")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to jamie.newstart@example.org"
    )
    expect(page.get_by_role("table", name="Invitations not yet accepted")).to_contain_text(
        "Jamie Newstart"
    )
    page.click(page.get_by_role("button", name="Sign out"), "admin-signed-out")

    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    page.goto(path, "accept")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a username and password")
    page.get_by_label("Choose a username").fill("jamie")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    page.click(page.get_by_role("button", name="Continue"), "authenticator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(
        page.get_by_role("img", name="QR code to add Resettle to your authenticator app")
    ).to_be_visible()

    # The key an app would take by hand, from the "I cannot scan the QR code" details.
    page.get_by_text("I cannot scan the QR code").click()
    typed = page.locator("#mfa-secret").inner_text().replace(" ", "")
    key = base64.b32decode(typed + "=" * (-len(typed) % 8))
    page.get_by_label("Code from your authenticator app").fill(code_for_key(key))
    page.click(page.get_by_role("button", name="Finish setting up"), "recovery-codes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem")
    recovery_code = codes.first.inner_text().strip()
    page.click(page.get_by_role("button", name="I have saved these codes"), "jamie-home")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    membership = Membership.objects.get(user__username="jamie")
    assert membership.role == Role.PEER_MENTOR

    # The link worked once.
    page.click(page.get_by_role("button", name="Sign out"), "jamie-signed-out")
    page.goto(path, "used-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")

    # Signing in again: password, then (the enrolment's code being spent) a recovery code.
    sign_in("jamie", NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enter")
    page.click(page.get_by_role("link", name=re.compile("use a recovery code")), "recovery")
    page.get_by_label("Recovery code").fill(recovery_code)
    page.click(page.get_by_role("button", name="Continue"), "jamie-home-again")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.click(page.get_by_role("button", name="Sign out"), "jamie-out-again")

    # The admin makes them a caseworker, then deactivates them. (A code is good once: as if
    # the app had moved on to its next code, the one used before is forgotten.)
    sign_in("admin", cast.password)
    TOTPDevice.objects.filter(pk=admin_device.pk).update(last_t=-1)
    page.get_by_label("Code from your authenticator app").fill(code_for(admin_device))
    page.click(page.get_by_role("button", name="Continue"), "admin-home-again")
    page.goto(reverse("accounts:staff_list"), "staff-again")
    page.click(page.get_by_role("link", name="Jamie Newstart"), "jamie-detail")
    page.click(page.get_by_role("link", name="Change role"), "change-role")
    page.get_by_label("Caseworker").check()
    page.click(page.get_by_role("button", name="Save changes"), "role-saved")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Caseworker")
    page.click(page.get_by_role("link", name="Deactivate them"), "confirm-deactivate")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Jamie Newstart?")
    page.click(page.get_by_role("button", name="Deactivate"), "deactivated")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Deactivated on")
    membership.refresh_from_db()
    assert membership.role == Role.CASEWORKER
    assert membership.ended_on is not None


def test_a_user_with_no_authenticator_is_told_to_use_their_invitation(
    page, sign_in, cast, mfa_enforced
):
    sign_in("caseworker", cast.password)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Use your invitation link to set up two-factor sign-in"
    )
    assert not TOTPDevice.objects.filter(user=cast.caseworker.user).exists()
