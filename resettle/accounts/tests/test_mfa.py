"""Two-factor sign-in: who must use it, setting it up, signing in with a code or a recovery
code, and the demo exemption. MFA_ENFORCED is off in the test environment (tests sign in with
force_login, which skips it), so every test here turns it on as production has it."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import CAST_PASSWORD
from resettle.accounts.models import Role
from resettle.accounts.security import mfa
from resettle.accounts.tests.factories import make_membership, make_organisation, make_user
from resettle.demo.generator.organisations import PARTNERSHIP_NAME
from resettle.partnerships.models import Partnership

pytestmark = pytest.mark.django_db

HOME = reverse("web:home")
SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")
VERIFY_RECOVERY = reverse("accounts:mfa_verify_recovery")
RECOVERY_CODES = reverse("accounts:mfa_recovery_codes")
STATUS = reverse("accounts:mfa_status")


@pytest.fixture(autouse=True)
def production_mfa(settings):
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now."""
    number = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(number).zfill(device.digits)


def wrong_code_for(device: TOTPDevice) -> str:
    return str((int(code_for(device)) + 500_000) % 1_000_000).zfill(6)


def give_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in_with_password(client, username: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": CAST_PASSWORD})


# Who must use it


@pytest.mark.parametrize(
    "username",
    ["probation", "caseworker", "mentor", "coordinator", "manager", "admin", "safeguarding"],
)
def test_every_role_that_sees_case_data_requires_mfa(cast, username):
    assert mfa.requires_mfa(cast.members()[username].user)


def test_analysts_see_only_pseudonymised_counts_so_mfa_is_optional(cast):
    assert not mfa.requires_mfa(cast.analyst.user)


def test_an_analyst_who_also_works_a_case_elsewhere_requires_mfa(cast):
    make_membership(user=cast.analyst.user, organisation=cast.housing_provider, role="caseworker")
    assert mfa.requires_mfa(cast.analyst.user)


def test_an_ended_membership_no_longer_requires_mfa(cast):
    cast.caseworker.ended_on = date(2020, 1, 1)
    cast.caseworker.save()
    assert not mfa.requires_mfa(cast.caseworker.user)


def test_staff_who_reach_the_django_admin_require_mfa(db):
    assert mfa.requires_mfa(make_user(is_staff=True))


# The middleware


def test_production_sends_a_caseworker_without_an_authenticator_to_set_one_up(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2F"


def test_production_sends_a_caseworker_with_an_authenticator_to_enter_a_code(client, cast):
    give_authenticator(cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    target = reverse("accounts:organisation_list")
    response = client.get(target)
    assert response.url == f"{VERIFY}?next=%2Forganisations%2F"


def test_signing_in_with_a_password_alone_leads_to_the_code_page(client, cast):
    give_authenticator(cast.caseworker.user)
    response = sign_in_with_password(client, "caseworker")
    assert response.url == HOME
    assert client.get(HOME).url == f"{VERIFY}?next=%2F"


def test_an_analyst_without_an_authenticator_is_not_redirected(client, cast):
    client.force_login(cast.analyst.user)
    assert client.get(HOME).status_code == 200


def test_an_analyst_who_chose_to_set_up_an_authenticator_is_asked_for_a_code(client, cast):
    give_authenticator(cast.analyst.user)
    client.force_login(cast.analyst.user)
    assert client.get(HOME).url == f"{VERIFY}?next=%2F"


def test_with_mfa_not_enforced_no_one_is_redirected(client, cast, settings):
    settings.MFA_ENFORCED = False
    client.force_login(cast.caseworker.user)
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("url_name", ["operations:healthz", "api:openapi-json"])
def test_pages_open_without_sign_in_are_not_redirected(client, cast, url_name):
    client.force_login(cast.caseworker.user)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_api_answers_bearer_tokens_not_the_mfa_redirect(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.get(reverse("api:household_list"))
    assert response.status_code == 401


def test_an_unverified_user_can_still_sign_out(client, cast):
    client.force_login(cast.caseworker.user)
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")


# Demo exemption


def make_demo_login(username: str):
    """A named sign-in of the demo partnership, as the demo generator makes them."""
    organisation = make_organisation(name="North Vale lead charity")
    Partnership.objects.create(name=PARTNERSHIP_NAME).organisations.add(organisation)
    user = make_user(username=username, is_demo=True)
    make_membership(user=user, organisation=organisation, role=Role.CASEWORKER)
    return user


def test_demo_mode_lets_a_demo_login_skip_mfa(client, settings, db):
    settings.DEMO_MODE = True
    client.force_login(make_demo_login("caseworker"))
    assert client.get(HOME).status_code == 200


def test_demo_mode_does_not_exempt_accounts_the_demo_generator_did_not_make(client, cast, settings):
    # `caseworker` is a demo username, but this account was not made by the demo generator.
    settings.DEMO_MODE = True
    client.force_login(cast.caseworker.user)
    assert client.get(HOME).url == f"{SETUP}?next=%2F"


def test_demo_mode_does_not_exempt_other_users_of_the_demo_partnership(client, settings, db):
    settings.DEMO_MODE = True
    demo = make_demo_login("caseworker")
    colleague = make_user(username="aisha.begum2")
    make_membership(user=colleague, organisation=demo.memberships.get().organisation)
    client.force_login(colleague)
    assert client.get(HOME).url == f"{SETUP}?next=%2F"


def test_outside_demo_mode_demo_logins_must_use_mfa(client, db):
    client.force_login(make_demo_login("caseworker"))
    assert client.get(HOME).url == f"{SETUP}?next=%2F"


def test_production_settings_make_demo_logins_use_mfa_even_in_demo_mode(client, settings, db):
    settings.DEMO_MODE = True
    settings.ENVIRONMENT = "production"
    client.force_login(make_demo_login("caseworker"))
    assert client.get(HOME).url == f"{SETUP}?next=%2F"


def test_sign_in_does_not_import_the_demo_generator():
    source = Path(mfa.__file__).read_text()
    assert "resettle.demo" not in source


# Setting up: a first authenticator after a password alone only for someone whose role does not
# oblige two-factor sign-in (an analyst choosing to); everyone else uses an invitation link
# (test_invitations.py). The set-up page's own workings are shown with an analyst.


def test_a_caseworker_with_no_authenticator_is_told_to_use_their_invitation_link(client, cast):
    response = sign_in_with_password(client, "caseworker")
    assert response.url == HOME
    sent = client.get(HOME)
    assert sent.url == f"{SETUP}?next=%2F"
    page = client.get(sent.url)
    assert page.status_code == 403
    assert b"use the invitation link" in page.content
    assert b"Sign out" in page.content
    assert not TOTPDevice.objects.filter(user=cast.caseworker.user).exists()


def test_a_password_alone_cannot_enrol_an_authenticator_even_with_a_right_code(client, cast):
    client.force_login(cast.caseworker.user)
    device = TOTPDevice(user=cast.caseworker.user, confirmed=False)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=cast.caseworker.user).exists()
    assert client.get(HOME).status_code == 302


def test_an_analyst_may_choose_to_enrol_with_their_password(client, cast):
    client.force_login(cast.analyst.user)
    assert client.get(SETUP).status_code == 200


def test_a_demo_login_in_demo_mode_may_enrol_with_its_password(client, settings, db):
    settings.DEMO_MODE = True
    user = make_user(username="caseworker", is_demo=True)
    make_membership(user=user, role=Role.CASEWORKER)
    client.force_login(user)
    assert client.get(SETUP).status_code == 200


def test_outside_demo_mode_a_demo_login_must_use_an_invitation_to_enrol(client, db):
    user = make_user(username="caseworker", is_demo=True)
    make_membership(user=user, role=Role.CASEWORKER)
    client.force_login(user)
    assert client.get(SETUP).status_code == 403


def test_set_up_page_shows_a_qr_code_image_and_the_key_to_type(client, cast):
    client.force_login(cast.analyst.user)
    response = client.get(SETUP)
    assert response.status_code == 200
    assert b'src="data:image/svg+xml' in response.content
    device = TOTPDevice.objects.get(user=cast.analyst.user, confirmed=False)
    assert mfa.secret_for_typing(device).encode() in response.content
    assert b"<script" not in response.content.split(b"</head>")[1]
    assert b"style=" not in response.content


def test_reloading_the_set_up_page_keeps_the_same_key(client, cast):
    client.force_login(cast.analyst.user)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=cast.analyst.user).count() == 1


def test_set_up_asks_for_a_code_when_none_is_entered(client, cast):
    client.force_login(cast.analyst.user)
    response = client.post(SETUP, {"code": ""})
    assert b"Enter the 6-digit code from your authenticator app" in response.content
    assert b"There is a problem" in response.content


def test_set_up_refuses_a_wrong_code(client, cast):
    client.force_login(cast.analyst.user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.analyst.user)
    response = client.post(SETUP, {"code": wrong_code_for(device)})
    assert b"The code is not right or has expired" in response.content
    device.refresh_from_db()
    assert not device.confirmed


def test_set_up_refuses_letters(client, cast):
    client.force_login(cast.analyst.user)
    response = client.post(SETUP, {"code": "abcdef"})
    assert b"using only numbers" in response.content


def test_confirming_set_up_shows_ten_recovery_codes_once_then_continues(client, cast):
    client.force_login(cast.analyst.user)
    client.get(f"{SETUP}?next=/people/")
    device = TOTPDevice.objects.get(user=cast.analyst.user)
    response = client.post(f"{SETUP}?next=/people/", {"code": code_for(device)})
    assert response.url == f"{RECOVERY_CODES}?next=%2Fpeople%2F"

    page = client.get(response.url)
    codes = list(StaticToken.objects.filter(device__user=cast.analyst.user))
    assert len(codes) == mfa.RECOVERY_CODE_COUNT == 10
    for code in codes:
        assert code.token.encode() in page.content
    assert b"I have saved these codes" in page.content

    done = client.post(f"{RECOVERY_CODES}?next=/people/")
    assert done.url == "/people/"
    # Shown once: the page now sends them to the status page instead.
    assert client.get(RECOVERY_CODES).url == STATUS
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200


def test_a_code_with_a_space_in_the_middle_is_accepted(client, cast):
    client.force_login(cast.analyst.user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.analyst.user)
    code = code_for(device)
    response = client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


def test_someone_with_only_the_password_cannot_replace_the_authenticator(client, cast):
    give_authenticator(cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    response = client.get(SETUP)
    assert response.url == f"{VERIFY}?next=%2F"
    assert TOTPDevice.objects.filter(user=cast.caseworker.user).count() == 1


def test_a_verified_user_can_replace_their_authenticator(client, cast):
    old = give_authenticator(cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    client.post(VERIFY, {"code": code_for(old)})
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=cast.caseworker.user, confirmed=False)
    assert client.post(SETUP, {"code": code_for(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=cast.caseworker.user)) == [new]


# Signing in with a code


def test_the_right_code_completes_sign_in_and_goes_to_the_page_asked_for(client, cast):
    device = give_authenticator(cast.caseworker.user)
    sign_in_with_password(client, "caseworker")
    response = client.post(f"{VERIFY}?next=/organisations/", {"code": code_for(device)})
    assert response.url == "/organisations/"
    assert client.get(HOME).status_code == 200


def test_the_code_page_refuses_an_empty_or_wrong_code_with_gov_uk_messages(client, cast):
    device = give_authenticator(cast.caseworker.user)
    sign_in_with_password(client, "caseworker")
    empty = client.post(VERIFY, {"code": ""})
    assert b"Enter the 6-digit code from your authenticator app" in empty.content
    assert b"<title>Error: " in empty.content
    wrong = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert b"The code is not right or has expired" in wrong.content
    assert client.get(HOME).status_code == 302


def test_a_code_cannot_be_used_twice(client, cast):
    device = give_authenticator(cast.caseworker.user)
    code = code_for(device)
    sign_in_with_password(client, "caseworker")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, "caseworker")
    assert b"The code is not right or has expired" in client.post(VERIFY, {"code": code}).content


def test_wrong_codes_make_the_next_try_wait(client, cast):
    device = give_authenticator(cast.caseworker.user)
    sign_in_with_password(client, "caseworker")
    # The wait doubles with each wrong code: after three it is 4 seconds, longer than this test.
    for _ in range(3):
        client.post(VERIFY, {"code": wrong_code_for(device)})
    response = client.post(VERIFY, {"code": code_for(device)})
    assert b"You have entered too many wrong codes" in response.content


def test_the_code_page_sends_someone_without_an_authenticator_to_set_up(client, cast):
    client.force_login(cast.caseworker.user)
    assert client.get(VERIFY).url == f"{SETUP}?next=%2F"


def test_the_code_page_ignores_a_next_link_to_another_site(client, cast):
    device = give_authenticator(cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})
    assert response.url == HOME


# Recovery codes


def test_a_recovery_code_signs_in_once(client, cast):
    give_authenticator(cast.caseworker.user)
    code = mfa.recovery_codes_regenerate(user=cast.caseworker.user)[0]
    sign_in_with_password(client, "caseworker")
    response = client.post(VERIFY_RECOVERY, {"code": code.upper()})
    assert response.url == HOME
    assert client.get(HOME).status_code == 200

    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, "caseworker")
    again = client.post(VERIFY_RECOVERY, {"code": code})
    assert b"The recovery code is not right or has already been used" in again.content


def test_the_recovery_code_page_asks_for_a_code(client, cast):
    give_authenticator(cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    response = client.post(VERIFY_RECOVERY, {"code": ""})
    assert b"Enter one of your recovery codes" in response.content


def test_making_new_recovery_codes_stops_the_old_ones(client, cast):
    device = give_authenticator(cast.caseworker.user)
    old = mfa.recovery_codes_regenerate(user=cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    client.post(VERIFY, {"code": code_for(device)})
    assert (
        b"Your old recovery codes will stop working"
        in client.get(reverse("accounts:mfa_recovery_codes_regenerate")).content
    )
    response = client.post(reverse("accounts:mfa_recovery_codes_regenerate"))
    assert response.url == f"{RECOVERY_CODES}?next=%2Faccount%2Ftwo-factor%2F"
    new = {t.token for t in StaticToken.objects.filter(device__user=cast.caseworker.user)}
    assert len(new) == 10
    assert not new & set(old)
    assert client.get(response.url).status_code == 200


# Status


def test_status_page_says_when_two_factor_sign_in_was_set_up(client, cast):
    device = give_authenticator(cast.caseworker.user)
    mfa.recovery_codes_regenerate(user=cast.caseworker.user)
    client.force_login(cast.caseworker.user)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.get(STATUS)
    set_up_on = timezone.localtime(device.created_at).strftime("%-d %B %Y")
    assert f"On, set up on {set_up_on}".encode() in response.content
    assert b"10 left" in response.content
    assert reverse("accounts:password_change").encode() in response.content


def test_status_page_offers_set_up_to_an_analyst_without_it(client, cast):
    client.force_login(cast.analyst.user)
    response = client.get(STATUS)
    assert b"Off" in response.content
    assert b"Set up two-factor sign-in" in response.content


def test_the_header_links_to_two_factor_sign_in(client, cast):
    client.force_login(cast.analyst.user)
    assert STATUS.encode() in client.get(HOME).content


@pytest.mark.parametrize("url", [STATUS, SETUP, VERIFY, VERIFY_RECOVERY, RECOVERY_CODES])
def test_mfa_pages_need_sign_in(client, db, url):
    response = client.get(url)
    assert response.url == f"{reverse('accounts:login')}?next={url}"
