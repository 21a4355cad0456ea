"""Accepting an invitation, in one journey opened from the e-mailed link: choose a password
(and, for a new account, a username), then set up an authenticator app, then save recovery
codes. Nothing is stored until the authenticator is proved to work; the link then stops
working and the invitee is signed in, having passed two-factor sign-in.

Open without signing in: the link is the credential. A link that never existed, was used, was
revoked or has expired gets the same page."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import default_key

from resettle.accounts import invitations, services
from resettle.accounts.mfa_forms import WRONG_CODE, AuthenticatorCodeForm
from resettle.accounts.mfa_views import NEW_CODES_KEY
from resettle.accounts.models import Invitation, InvitationPurpose, User
from resettle.accounts.security import mfa
from resettle.accounts.staff_forms import SetPasswordAndNameForm
from resettle.web.form_runner import add_service_errors, form_status

# What the journey's first page chose, kept in the session until the authenticator is proved.
JOURNEY_KEY = "invitation_journey"
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/invitations/invalid.html", status=404)


def _signed_in_as_someone(request: HttpRequest, invitation: Invitation) -> bool:
    user = request.user
    return user.is_authenticated and user.pk != invitation.user_id


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _invalid(request)
    if _signed_in_as_someone(request, invitation):
        return render(
            request, "accounts/invitations/signed_in.html", {"invitation": invitation}, status=409
        )
    enrolling_again = invitation.purpose == InvitationPurpose.ENROL_AGAIN
    account = invitation.user or User(
        first_name=invitation.first_name, last_name=invitation.last_name, email=invitation.email
    )
    form = SetPasswordAndNameForm(
        request.POST if request.method == "POST" else None,
        user=account,
        fixed_username=enrolling_again,
        initial={"username": invitation.email.split("@")[0].lower()},
    )
    if request.method == "POST" and form.is_valid():
        request.session[JOURNEY_KEY] = {
            "invitation": str(invitation.pk),
            "username": account.username if enrolling_again else form.cleaned_data["username"],
            "password_hash": make_password(form.cleaned_data["password1"]),
            "totp_key": default_key(),
        }
        return redirect("accounts:invitation_authenticator", token=token)
    return render(
        request,
        "accounts/invitations/accept.html",
        {"form": form, "invitation": invitation, "enrolling_again": enrolling_again},
        status=form_status(form),
    )


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_authenticator(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _invalid(request)
    journey = request.session.get(JOURNEY_KEY) or {}
    if journey.get("invitation") != str(invitation.pk) or _signed_in_as_someone(
        request, invitation
    ):
        # The first page was not finished in this browser: start there.
        return redirect("accounts:invitation_accept", token=token)
    device = mfa.new_totp_device_for(username=journey["username"], key=journey["totp_key"])
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        last_t = mfa.check_code_for_key(journey["totp_key"], form.cleaned_data["code"])
        if last_t is None:
            form.add_error("code", WRONG_CODE)
        else:
            try:
                user, confirmed = services.invitation_accept(
                    invitation=invitation,
                    username=journey["username"],
                    password_hash=journey["password_hash"],
                    totp_key=journey["totp_key"],
                    last_t=last_t,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                del request.session[JOURNEY_KEY]
                login(request, user, backend=SIGN_IN_BACKEND)
                otp_login(request, confirmed)
                request.session[NEW_CODES_KEY] = mfa.recovery_codes_regenerate(user=user)
                then = urlencode({"next": reverse("web:home")})
                return redirect(f"{reverse('accounts:mfa_recovery_codes')}?{then}")
    return render(
        request,
        "accounts/invitations/authenticator.html",
        {
            "form": form,
            "invitation": invitation,
            "username": journey["username"],
            "qr_code": mfa.qr_code_data_uri(device),
            "secret": mfa.secret_for_typing(device),
        },
        status=form_status(form),
    )
