"""An organisation admin's staff pages: the list, changing roles and lead flags, deactivating
and reactivating, resetting two-factor sign-in and unlocking. Each action is audited and each is
refused (the same 404 as for no one) to other organisations' admins and to other roles."""

from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.accounts import services
from resettle.accounts.models import Membership, Role
from resettle.accounts.tests.factories import make_membership, make_user
from resettle.audit.models import AuditEvent
from resettle.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db

BASE_URL = "https://resettle.example.org/"
STAFF = reverse("accounts:staff_list")
MEMBER_PAGES = (
    "accounts:staff_detail",
    "accounts:staff_change_role",
    "accounts:staff_deactivate",
    "accounts:staff_reactivate",
    "accounts:staff_reset_two_factor",
    "accounts:staff_unlock",
)


def audited(membership: Membership, action: str) -> bool:
    return AuditEvent.objects.filter(
        object_type="membership", object_id=str(membership.pk), action=action
    ).exists()


@pytest.fixture
def other_admin(cast) -> Membership:
    return make_membership(organisation=cast.housing_provider, role=Role.ORGANISATION_ADMIN)


# The list


def test_an_admin_sees_their_organisations_members_with_roles_and_flags(client_as, cast):
    response = client_as(cast.admin).get(STAFF)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Caseworker Tester", "Safeguarding Tester", "Manager Tester"):
        assert name in body
    assert "Probation Tester" not in body  # another organisation's
    assert "Safeguarding lead" in body
    assert "5 active members" in body


def test_the_list_filters_by_role_and_status(client_as, cast):
    services.membership_deactivate(actor=cast.admin, membership=cast.manager)
    client = client_as(cast.admin)
    by_role = client.get(STAFF, {"role": Role.CASEWORKER}).content.decode()
    assert "Caseworker Tester" in by_role and "Analyst Tester" not in by_role
    ended = client.get(STAFF, {"status": "deactivated"}).content.decode()
    assert "Manager Tester" in ended and "Caseworker Tester" not in ended
    assert "Manager Tester" not in client.get(STAFF).content.decode()


def test_the_list_sorts_and_pages(client_as, cast):
    for number in range(30):
        make_membership(
            user=make_user(username=f"member{number:02}", last_name=f"Zed{number:02}"),
            organisation=cast.lead_charity,
        )
    client = client_as(cast.admin)
    first = client.get(STAFF, {"sort": "name"}).content.decode()
    assert "Zed29" not in first and "Analyst Tester" in first
    last = client.get(STAFF, {"sort": "-name"}).content.decode()
    assert "Zed29" in last
    assert client.get(STAFF, {"page": "2"}).status_code == 200


def test_the_list_reads_a_fixed_number_of_queries(client_as, cast, django_assert_max_num_queries):
    client = client_as(cast.admin)
    client.get(STAFF)
    for _ in range(10):
        make_membership(organisation=cast.lead_charity)
    with django_assert_max_num_queries(20):
        client.get(STAFF)


@pytest.mark.parametrize("who", ["caseworker", "manager", "safeguarding", "analyst", "outsider"])
def test_other_roles_are_refused_the_list(client_as, cast, who):
    response = client_as(getattr(cast, who)).get(STAFF)
    assert response.status_code == 403
    assert b"administrators manage its staff" in response.content


def test_signed_out_the_list_asks_to_sign_in(client_as, cast):
    assert client_as(None).get(STAFF).url.startswith(reverse("accounts:login"))


# Refusals for one member's pages


@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_another_organisations_admin_gets_the_same_404_as_for_no_one(
    client_as, cast, other_admin, page
):
    client = client_as(other_admin)
    assert client.get(reverse(page, args=[cast.caseworker.pk])).status_code == 404
    assert client.post(reverse(page, args=[cast.caseworker.pk])).status_code in (404, 405)
    assert client.get(reverse(page, args=[cast.admin.pk.__class__(int=1)])).status_code == 404


@pytest.mark.parametrize("page", MEMBER_PAGES)
@pytest.mark.parametrize("who", ["caseworker", "safeguarding", "manager"])
def test_other_roles_of_the_same_organisation_get_a_404(client_as, cast, page, who):
    response = client_as(getattr(cast, who)).post(reverse(page, args=[cast.caseworker.pk]))
    assert response.status_code in (404, 405)
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.ended_on is None


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, m: services.membership_update(
            actor=actor,
            membership=m,
            role=Role.ANALYST,
            is_safeguarding_lead=False,
            is_data_protection_lead=False,
        ),
        lambda actor, m: services.membership_deactivate(actor=actor, membership=m),
        lambda actor, m: services.membership_reactivate(actor=actor, membership=m),
        lambda actor, m: services.two_factor_reset(actor=actor, membership=m, base_url=BASE_URL),
        lambda actor, m: services.account_unlock(actor=actor, membership=m),
    ],
)
def test_the_services_refuse_another_organisations_admin(cast, other_admin, action):
    with pytest.raises(PermissionDenied):
        action(other_admin, cast.caseworker)
    with pytest.raises(PermissionDenied):
        action(cast.caseworker, cast.safeguarding)


# The member's page and changing role


def test_the_member_page_shows_role_status_two_factor_and_lock(client_as, cast):
    response = client_as(cast.admin).get(
        reverse("accounts:staff_detail", args=[cast.caseworker.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Caseworker Tester" in body
    assert "Not set up" in body
    assert "Not locked" in body
    assert "Reset their two-factor sign-in" in body


def test_an_admin_changes_a_role_and_the_safeguarding_flag(client_as, cast):
    response = client_as(cast.admin).post(
        reverse("accounts:staff_change_role", args=[cast.caseworker.pk]),
        {"role": Role.REFERRER, "is_safeguarding_lead": "true"},
    )
    assert response.url == reverse("accounts:staff_detail", args=[cast.caseworker.pk])
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.role == Role.REFERRER
    assert cast.caseworker.is_safeguarding_lead
    assert not cast.caseworker.is_data_protection_lead
    event = AuditEvent.objects.get(object_type="membership", object_id=str(cast.caseworker.pk))
    assert event.changes["role"] == [Role.CASEWORKER, Role.REFERRER]


def test_the_last_admin_cannot_remove_their_own_admin_role(client_as, cast):
    response = client_as(cast.admin).post(
        reverse("accounts:staff_change_role", args=[cast.admin.pk]), {"role": Role.CASEWORKER}
    )
    assert response.status_code == 200
    assert b"must keep at least one administrator" in response.content
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ORGANISATION_ADMIN


def test_an_admin_may_step_down_when_another_admin_remains(cast):
    make_membership(organisation=cast.lead_charity, role=Role.ORGANISATION_ADMIN)
    services.membership_update(
        actor=cast.admin,
        membership=cast.admin,
        role=Role.CASEWORKER,
        is_safeguarding_lead=False,
        is_data_protection_lead=False,
    )
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.CASEWORKER


# Deactivating and reactivating


def test_deactivation_asks_for_confirmation_first(client_as, cast):
    url = reverse("accounts:staff_deactivate", args=[cast.caseworker.pk])
    page = client_as(cast.admin).get(url)
    assert b"Deactivate Caseworker Tester?" in page.content
    assert b"govuk-button--warning" in page.content
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.ended_on is None


def test_a_deactivated_users_session_and_tokens_stop_working_at_once(client, cast, api_as):
    api = api_as(cast.caseworker)
    assert api.get("/api/v1/people").status_code == 200
    client.force_login(cast.caseworker.user)
    assert client.get(reverse("people:list")).status_code == 200

    admin = client.__class__()
    admin.force_login(cast.admin.user)
    response = admin.post(reverse("accounts:staff_deactivate", args=[cast.caseworker.pk]))
    assert response.status_code == 302

    cast.caseworker.refresh_from_db()
    assert cast.caseworker.ended_on == date.today()
    cast.caseworker.user.refresh_from_db()
    assert not cast.caseworker.user.is_active
    assert client.get(reverse("people:list")).url.startswith(reverse("accounts:login"))
    assert api.get("/api/v1/people").status_code == 401
    assert audited(cast.caseworker, "state_change")


def test_someone_with_another_membership_keeps_that_one(cast):
    elsewhere = make_membership(user=cast.caseworker.user, organisation=cast.housing_provider)
    services.membership_deactivate(actor=cast.admin, membership=cast.caseworker)
    cast.caseworker.user.refresh_from_db()
    assert cast.caseworker.user.is_active
    elsewhere.refresh_from_db()
    assert elsewhere.ended_on is None


def test_the_last_admin_cannot_deactivate_themselves(cast):
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_deactivate(actor=cast.admin, membership=cast.admin)


def test_a_deactivated_member_is_reactivated(client_as, cast):
    services.membership_deactivate(actor=cast.admin, membership=cast.caseworker)
    response = client_as(cast.admin).post(
        reverse("accounts:staff_reactivate", args=[cast.caseworker.pk])
    )
    assert response.status_code == 302
    cast.caseworker.refresh_from_db()
    assert cast.caseworker.ended_on is None
    cast.caseworker.user.refresh_from_db()
    assert cast.caseworker.user.is_active


def test_an_active_member_cannot_be_reactivated(cast):
    with pytest.raises(ValidationError, match="already active"):
        services.membership_reactivate(actor=cast.admin, membership=cast.caseworker)


# Two-factor reset and unlocking


def test_resetting_two_factor_removes_devices_and_emails_a_new_link(
    client_as, cast, django_capture_on_commit_callbacks, mailoutbox
):
    user = cast.caseworker.user
    user.email = "casey@example.org"
    user.save()
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(cast.admin).post(
            reverse("accounts:staff_reset_two_factor", args=[cast.caseworker.pk])
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert mailoutbox[0].to == ["casey@example.org"]
    assert "/invitation/" in mailoutbox[0].body
    assert audited(cast.caseworker, "mfa")


def test_resetting_two_factor_needs_an_email_address(cast):
    with pytest.raises(ValidationError, match="no email address"):
        services.two_factor_reset(actor=cast.admin, membership=cast.caseworker, base_url=BASE_URL)


def _lock(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now() - timedelta(minutes=1),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/sign-in/",
    )


def test_an_admin_sees_a_locked_account_and_unlocks_it(client_as, cast):
    _lock("caseworker")
    client = client_as(cast.admin)
    assert b"Locked" in client.get(STAFF).content
    detail = client.get(reverse("accounts:staff_detail", args=[cast.caseworker.pk]))
    assert b"Unlock their account" in detail.content
    response = client.post(reverse("accounts:staff_unlock", args=[cast.caseworker.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="caseworker").exists()
    assert audited(cast.caseworker, "update")


def test_unlocked_the_user_can_sign_in_again(client, cast):
    _lock("caseworker")
    signed_in = {"username": "caseworker", "password": cast.password}
    assert client.post(reverse("accounts:login"), signed_in).status_code == 429
    services.account_unlock(actor=cast.admin, membership=cast.caseworker)
    assert client.post(reverse("accounts:login"), signed_in).status_code == 302
