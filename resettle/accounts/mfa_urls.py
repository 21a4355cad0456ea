"""Two-factor sign-in and password pages. Included by `resettle.accounts.urls` under
`account/`, so the names are in the `accounts` namespace (`accounts:mfa_status`, ...)."""

from django.urls import path

from resettle.accounts import mfa_views

urlpatterns = [
    path("two-factor/", mfa_views.mfa_status, name="mfa_status"),
    path("two-factor/set-up/", mfa_views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path(
        "two-factor/verify/recovery-code/",
        mfa_views.mfa_verify_recovery,
        name="mfa_verify_recovery",
    ),
    path("two-factor/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path(
        "two-factor/recovery-codes/new/",
        mfa_views.mfa_recovery_codes_regenerate,
        name="mfa_recovery_codes_regenerate",
    ),
    path("password/", mfa_views.PasswordChangeView.as_view(), name="password_change"),
]
