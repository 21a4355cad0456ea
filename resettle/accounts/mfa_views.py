"""Pages for two-factor sign-in (set up, sign in with a code or a recovery code, status,
recovery codes) and for changing one's password. The rules are in `security/mfa.py`."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from resettle.accounts.mfa_forms import AuthenticatorCodeForm, ChangePasswordForm, RecoveryCodeForm
from resettle.accounts.security import mfa
from resettle.core.http import AuthenticatedRequest

# New recovery codes wait here between being made and being shown, once.
NEW_CODES_KEY = "mfa_new_recovery_codes"


def _next_url(request: AuthenticatedRequest) -> str:
    candidate = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@never_cache
@require_http_methods(["GET"])
def mfa_status(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/mfa/status.html",
        {"status": mfa.mfa_status(request.user), "required": mfa.requires_mfa(request.user)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    replacing = mfa.authenticator(user) is not None
    # Whoever has only the password must not be able to swap in an authenticator of their own.
    if replacing and not user.is_verified():
        return redirect(_with_next("accounts:mfa_verify", _next_url(request)))
    # A first authenticator comes only through an invitation link, never a password alone.
    if not replacing and not mfa.may_enrol_with_password(user):
        return render(
            request, "accounts/mfa/use_invitation.html", {"reason": mfa.USE_INVITATION}, status=403
        )
    device = mfa.authenticator_for_setup(user=user)
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = mfa.authenticator_confirm(
            request=request, device=device, code=form.cleaned_data["code"]
        )
        if result is mfa.CodeCheck.ACCEPTED:
            request.session[NEW_CODES_KEY] = mfa.recovery_codes_regenerate(user=user)
            return redirect(_with_next("accounts:mfa_recovery_codes", _next_url(request)))
        form.add_check_error(result)
    return render(
        request,
        "accounts/mfa/setup.html",
        {
            "form": form,
            "qr_code": mfa.qr_code_data_uri(device),
            "secret": mfa.secret_for_typing(device),
            "replacing": replacing,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Shows new recovery codes once: continuing forgets them."""
    codes = request.session.get(NEW_CODES_KEY)
    if not codes:
        return redirect("accounts:mfa_status")
    if request.method == "POST":
        del request.session[NEW_CODES_KEY]
        return redirect(_next_url(request))
    return render(request, "accounts/mfa/recovery_codes.html", {"codes": codes})


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    if mfa.authenticator(request.user) is None:
        return redirect("accounts:mfa_setup")
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = mfa.recovery_codes_regenerate(user=request.user)
        return redirect(_with_next("accounts:mfa_recovery_codes", reverse("accounts:mfa_status")))
    return render(request, "accounts/mfa/regenerate.html")


def _verify(request: AuthenticatedRequest, form_class, check, template: str) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    if mfa.authenticator(request.user) is None:
        return redirect(_with_next("accounts:mfa_setup", _next_url(request)))
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = check(request=request, code=form.cleaned_data["code"])
        if result is mfa.CodeCheck.ACCEPTED:
            return redirect(_next_url(request))
        form.add_check_error(result)
    return render(request, template, {"form": form, "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedRequest) -> HttpResponse:
    return _verify(
        request, AuthenticatorCodeForm, mfa.sign_in_with_code, "accounts/mfa/verify.html"
    )


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify_recovery(request: AuthenticatedRequest) -> HttpResponse:
    return _verify(
        request,
        RecoveryCodeForm,
        mfa.sign_in_with_recovery_code,
        "accounts/mfa/verify_recovery.html",
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/mfa/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:mfa_status")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response
