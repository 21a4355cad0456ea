"""Two-factor sign-in: who must use it, and setting up and checking an authenticator app (TOTP)
and one-time recovery codes. The codes and secrets are django-otp's; nothing here is crypto."""

import base64
import enum
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import verify_token
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
    demo_exempt = settings.DEMO_MODE and settings.ENVIRONMENT != "production"
    # The flag is set by the demo generator only: a real account called `caseworker` is not exempt.
    if demo_exempt and user.is_demo:
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
