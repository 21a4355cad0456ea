"""Two-factor sign-in: who must use it, and setting up and checking an authenticator app (TOTP)
and one-time recovery codes. The codes and secrets are django-otp's; nothing here is crypto."""

import base64
import enum
import time
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from resettle.accounts.middleware import current_memberships
from resettle.accounts.models import Role, User
from resettle.core.http import AuthenticatedRequest

# Analysts see pseudonymised counts only. Every other role sees case-level or sensitive data, and
# so does any role added later until it is listed here: the rule fails safe.
MFA_OPTIONAL_ROLES = frozenset({Role.ANALYST})
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"


def requires_mfa(user: User) -> bool:
    """Whether this user's roles oblige them to use two-factor sign-in."""
    if not user.is_authenticated:
        return False
    # The Django admin reaches every record, whatever the user's memberships.
    if user.is_staff or user.is_superuser:
        return True
    return current_memberships(user).exclude(role__in=MFA_OPTIONAL_ROLES).exists()


def must_use_mfa(user: User) -> bool:
    """Whether the user must have passed two-factor sign-in before using Resettle now: their
    role requires it, or they chose to set it up."""
    if not settings.MFA_ENFORCED:
        return False
    # Demo sign-ins skip it only in demo mode, and never under production settings (DESIGN §7).
    # The flag is set by the demo generator only: a real account called `caseworker` is not exempt.
    if is_demo_exempt(user):
        return False
    return requires_mfa(user) or authenticator(user) is not None


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class MfaStatus:
    set_up_on: datetime | None
    recovery_codes_left: int

    @property
    def is_on(self) -> bool:
        return self.set_up_on is not None


def mfa_status(user: User) -> MfaStatus:
    device = authenticator(user)
    return MfaStatus(
        set_up_on=device.created_at if device else None,
        recovery_codes_left=recovery_codes_left(user),
    )


def authenticator_for_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the set-up page shows, kept until it is confirmed so that
    reloading the page does not change the QR code the user may already have scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// link as an SVG QR code in a data: URI, which the CSP allows as an
    image where it would refuse an inline <svg> with styles."""
    return segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff"
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # django-otp makes each wrong code wait longer before the next is checked.
    TOO_MANY_TRIES = "too_many_tries"


def _check(request: HttpRequest, device, code: str) -> CodeCheck:
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return CodeCheck.TOO_MANY_TRIES
    # verify_token locks the device row, so one code cannot be used twice at the same moment.
    if verify_token(request.user, device.persistent_id, code) is None:
        return CodeCheck.WRONG
    return CodeCheck.ACCEPTED


def authenticator_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    """Confirm a new authenticator with a code from it. It replaces any earlier one, and the
    session counts as having passed two-factor sign-in."""
    result = _check(request, device, code)
    if result is CodeCheck.ACCEPTED:
        with transaction.atomic():
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        otp_login(request, device)
    return result


def sign_in_with_code(*, request: AuthenticatedRequest, code: str) -> CodeCheck:
    """The second step of signing in, with a code from the user's authenticator app."""
    device = authenticator(request.user)
    if device is None:
        return CodeCheck.WRONG
    result = _check(request, device, code)
    if result is CodeCheck.ACCEPTED:
        otp_login(request, device)
    return result


def sign_in_with_recovery_code(*, request: HttpRequest, code: str) -> CodeCheck:
    """The second step of signing in with a recovery code, which then stops working."""
    device = StaticDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return CodeCheck.WRONG
    result = _check(request, device, normalise_recovery_code(code))
    if result is CodeCheck.ACCEPTED:
        otp_login(request, device)
    return result


def normalise_recovery_code(code: str) -> str:
    # People copy codes with spaces or hyphens and in capitals; the tokens are lower case.
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Make a new set of one-time recovery codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_CODES_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# First enrolment -------------------------------------------------------------------------------
# Whoever must use two-factor sign-in sets up their first authenticator only through a one-time
# invitation link (accounts/invitations.py): a leaked password of someone who has not enrolled
# yet must not be enough to enrol an authenticator of the thief's own.

USE_INVITATION = (
    "To set up two-factor sign-in, use the invitation link your organisation's administrator "
    "e-mailed you. If you cannot find it, or it has expired, ask them to send a new one."
)


def is_demo_exempt(user: User) -> bool:
    """A demo sign-in in demo mode, outside production (DESIGN §7)."""
    return bool(settings.DEMO_MODE and settings.ENVIRONMENT != "production" and user.is_demo)


def may_enrol_with_password(user: User) -> bool:
    """Whether this user may set up a first authenticator having signed in with a password
    alone: only someone whose roles do not oblige two-factor sign-in (an analyst choosing to),
    or a demo sign-in in demo mode. Someone acting for no organisation has no reason to."""
    if is_demo_exempt(user):
        return True
    return current_memberships(user).exists() and not requires_mfa(user)


def new_totp_device_for(*, username: str, key: str | None = None) -> TOTPDevice:
    """An unsaved authenticator for someone enrolling through an invitation: its key is kept in
    their session until they prove their app shows the right codes, so nothing is stored for an
    invitation that is never finished."""
    device = TOTPDevice(user=User(username=username), name=AUTHENTICATOR_NAME, confirmed=False)
    if key:
        device.key = key
    return device


def check_code_for_key(key: str, code: str) -> int | None:
    """The time step a code from an authenticator with this key matched (stored as the device's
    `last_t`, so the same code cannot be used again), or None if it does not match."""
    device = TOTPDevice(key=key)
    try:
        token = int(code)
    except ValueError:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(token, device.tolerance):
        return None
    return totp.t()
