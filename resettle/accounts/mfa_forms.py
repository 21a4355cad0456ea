"""Forms for two-factor sign-in: one question each, with GOV.UK's wording for security codes."""

import re

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

from resettle.accounts.security.mfa import CodeCheck
from resettle.web.forms import GovukForm, GovukFormMixin

WRONG_CODE = "The code is not right or has expired"
TOO_MANY_TRIES = "You have entered too many wrong codes. Wait a minute, then try again"


class AuthenticatorCodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your authenticator app shows for Resettle",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people type it either way.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(
                "Enter the 6-digit code from your authenticator app, using only numbers",
                code="format",
            )
        return code

    def add_check_error(self, result: CodeCheck) -> None:
        self.add_error("code", TOO_MANY_TRIES if result is CodeCheck.TOO_MANY_TRIES else WRONG_CODE)


class RecoveryCodeForm(GovukForm):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 codes you saved when you set up two-factor sign-in",
        max_length=40,
        error_messages={"required": "Enter one of your recovery codes"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def add_check_error(self, result: CodeCheck) -> None:
        message = (
            TOO_MANY_TRIES
            if result is CodeCheck.TOO_MANY_TRIES
            else "The recovery code is not right or has already been used"
        )
        self.add_error("code", message)


class ChangePasswordForm(GovukFormMixin, PasswordChangeForm):
    """Django's password change, worded as GOV.UK asks. The new password is checked by every
    validator in AUTH_PASSWORD_VALIDATORS (length, common and breached passwords, and so on)."""

    error_messages = {
        "password_mismatch": "The new passwords do not match",
        "password_incorrect": "Your current password is not right",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        old = self.fields["old_password"]
        new = self.fields["new_password1"]
        again = self.fields["new_password2"]
        old.label = "Current password"
        old.error_messages["required"] = "Enter your current password"
        # GOV.UK advises against autofocus: it moves screen reader users past the page's context.
        old.widget.attrs.pop("autofocus", None)
        new.label = "New password"
        new.help_text = (
            "At least 12 characters. Do not use a common password, one that is only numbers, "
            "or one like your name or username. A few unrelated words together work well."
        )
        new.error_messages["required"] = "Enter a new password"
        again.label = "Confirm new password"
        again.help_text = ""
        again.error_messages["required"] = "Enter your new password again"

    def clean(self) -> dict:
        # As Django's form does, but a weak password is reported on the box it was typed in.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        super(SetPasswordForm, self).clean()
        return self.cleaned_data
