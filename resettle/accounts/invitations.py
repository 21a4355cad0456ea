"""Invitation links: the token in the link, the hash kept of it, finding an invitation from a
link, and the e-mail that carries it. The writes (inviting, re-sending, revoking, accepting)
are in `accounts/services.py`."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from resettle.accounts.models import Invitation, InvitationPurpose

# How long a link works. Re-sending makes a new link that works this long from then.
INVITATION_DAYS = 7


def new_token() -> str:
    """A token for a link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored: whoever reads the database cannot rebuild a working link from it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def expiry_from(now=None):
    return (now or timezone.now()) + timedelta(days=INVITATION_DAYS)


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation this link names, or None whether it never existed, was used,
    was revoked or has expired: the page says the same for all."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("organisation", "user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending():
        return None
    return invitation


def link_for(token: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{reverse('accounts:invitation_accept', args=[token])}"


def send_invitation_email(*, invitation: Invitation, link: str) -> None:
    """The e-mail with the link. It names the organisation and the role, nothing about anyone
    Resettle supports."""
    until = date_format(timezone.localtime(invitation.expires_at), "j F Y \\a\\t H:i")
    if invitation.purpose == InvitationPurpose.ENROL_AGAIN:
        subject = "Set up two-factor sign-in for Resettle again"
        by = (
            f"An administrator at {invitation.organisation.name}"
            if invitation.organisation
            else "Resettle's operators"
        )
        opening = (
            f"{by} reset your two-factor sign-in. Use this link to choose a password and set "
            "up your authenticator app again:"
        )
    else:
        assert invitation.organisation is not None  # someone new joins an organisation
        subject = f"You have been invited to Resettle by {invitation.organisation.name}"
        opening = (
            f"{invitation.organisation.name} has invited you to use Resettle as "
            f"{invitation.get_role_display().lower()}. Use this link to choose a password and "
            "set up two-factor sign-in with an authenticator app on your phone:"
        )
    body = (
        f"Dear {invitation.full_name},\n\n{opening}\n\n{link}\n\n"
        f"The link works once, until {until}. If it has expired, ask your organisation's "
        "administrator to send a new one. If you did not expect this e-mail, ignore it."
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
