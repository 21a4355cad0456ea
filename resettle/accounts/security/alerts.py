"""Telling organisation admins about lockouts: when a username of theirs is locked after repeated
wrong passwords, and when one address is stopped after failing across many usernames (password
spraying) including theirs. The alert names the account, never the passwords tried, and is sent
once per lock however often someone keeps trying while it holds."""

from collections.abc import Iterable

from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from resettle.accounts.models import Membership, Role, User
from resettle.accounts.security.lockout import address_is_spraying, cool_off_minutes
from resettle.notifications.models import Notification
from resettle.notifications.services import notify

LOCKED = "A sign-in was locked after repeated wrong passwords"
SPRAYING = "Sign-ins from one address were stopped after failing across many accounts"


def _admins_by_organisation(users: Iterable[User]) -> dict:
    """For each organisation the users currently belong to, its current admins."""
    organisations = {
        m.organisation_id: m.organisation
        for m in Membership.objects.filter(user__in=users, ended_on__isnull=True).select_related(
            "organisation"
        )
    }
    admins: dict = {organisation: [] for organisation in organisations.values()}
    for member in Membership.objects.filter(
        organisation_id__in=organisations,
        role=Role.ORGANISATION_ADMIN,
        ended_on__isnull=True,
    ).select_related("user"):
        admins[organisations[member.organisation_id]].append(member.user)
    return admins


def _send_once(admins: dict, subject: str, body: str, links: dict | None = None) -> None:
    """Notify each admin unless they were told the same within the lock's length. `links`: per
    organisation, the page to act from (the locked person's page under Staff)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    for organisation, users in admins.items():
        told = set(
            Notification.objects.filter(
                recipient__in=users, subject=subject, body=body, created_at__gte=since
            ).values_list("recipient_id", flat=True)
        )
        recipients = [user for user in users if user.pk not in told]
        if recipients:
            notify(
                recipients=recipients,
                organisation=organisation,
                subject=subject,
                body=body,
                link=(links or {}).get(organisation, ""),
            )


def username_locked(username: str) -> None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    admins = _admins_by_organisation([user])
    body = (
        f"The account {username} ({user.get_full_name() or username}) cannot sign in for "
        f"{cool_off_minutes()} minutes after {settings.AXES_FAILURE_LIMIT} wrong passwords. "
        "If that was not them, someone may be guessing the password: check with them, and "
        "unlock the account (from their page under Staff) only when you are sure."
    )
    # Each admin acts from the person's page under Staff, where they can unlock the account.
    links = {
        m.organisation: reverse("accounts:staff_detail", args=[m.pk])
        for m in Membership.objects.filter(
            user=user, organisation__in=list(admins), ended_on__isnull=True
        ).select_related("organisation")
    }
    _send_once(
        {org: [u for u in users if u != user] for org, users in admins.items()},
        LOCKED,
        body,
        links,
    )


def address_stopped(request: HttpRequest) -> None:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    tried = list(
        AccessFailureLog.objects.filter(
            ip_address=get_client_ip_address(request), attempt_time__gte=since
        ).values_list("username", flat=True)
    )
    usernames = set(tried)
    users = list(User.objects.filter(username__in=usernames))
    if not users:
        return
    admins = _admins_by_organisation(users)
    for organisation, recipients in admins.items():
        theirs = sorted(
            u.username
            for u in users
            if u.memberships.filter(organisation=organisation, ended_on__isnull=True).exists()
        )
        body = (
            f"One address failed to sign in {len(tried)} times in {cool_off_minutes()} minutes "
            f"across {len(usernames)} usernames, including your organisation's "
            f"{', '.join(theirs)}. It cannot sign in for at least {cool_off_minutes()} minutes. "
            "Ask those people to check their passwords are strong and not used elsewhere."
        )
        _send_once({organisation: recipients}, SPRAYING, body)


def on_locked_out(sender, request: HttpRequest, username: str, **kwargs) -> None:
    """axes' `user_locked_out`: sent at the lock, and again at each try while it holds."""
    if address_is_spraying(request):
        address_stopped(request)
    elif username:
        username_locked(username)
