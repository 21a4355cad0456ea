"""Account security in a real browser: signing in with an authenticator code or a
recovery code, and the locked-out page. MFA_ENFORCED is turned on for the live server, as in
production (the test environment leaves it off)."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from resettle.accounts.security import mfa

pytestmark = pytest.mark.e2e


@pytest.fixture
def mfa_enforced(settings) -> None:
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app would show now."""
    number = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(number).zfill(device.digits)


def url_is(page, url_name: str) -> None:
    expect(page.page).to_have_url(
        re.compile(re.escape(page.url_for(reverse(url_name))) + r"(\?.*)?$")
    )


def test_caseworker_signs_in_with_an_authenticator_or_a_recovery_code(
    page, sign_in, cast, mfa_enforced
):
    """Setting up the first authenticator is through an invitation link (test_staff_admin.py);
    here the caseworker has one, and the recovery codes it came with."""
    device = TOTPDevice.objects.create(
        user=cast.caseworker.user, name="Authenticator app", confirmed=True
    )
    recovery_code = mfa.recovery_codes_regenerate(user=cast.caseworker.user)[0]
    sign_in("caseworker", cast.password)
    url_is(page, "accounts:mfa_verify")
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.click(page.get_by_role("button", name="Continue"), "home")
    url_is(page, "web:home")

    page.click(page.get_by_role("link", name="Two-factor sign-in"), "status")
    expect(page.get_by_text(re.compile(r"On, set up on \d{1,2} \w+ \d{4}"))).to_be_visible()

    page.click(page.get_by_role("button", name="Sign out"), "signed-out")
    sign_in("caseworker", cast.password)
    url_is(page, "accounts:mfa_verify")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.click(page.get_by_role("button", name="Continue"), "wrong-code")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The code is not right or has expired"
    )

    page.click(page.get_by_role("link", name=re.compile("use a recovery code")), "recovery-code")
    page.get_by_label("Recovery code").fill(recovery_code)
    page.click(page.get_by_role("button", name="Continue"), "home-after-recovery-code")
    url_is(page, "web:home")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_five_wrong_passwords_show_the_locked_out_page(page, sign_in, cast):
    for _ in range(5):
        sign_in("caseworker", "not-the-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in for now")
    expect(page.get_by_text("You have tried to sign in too many times.")).to_be_visible()
