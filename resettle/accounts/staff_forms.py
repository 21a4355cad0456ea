"""Forms for an organisation admin's staff pages and for accepting an invitation."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from resettle.accounts.models import Role, User
from resettle.web.forms import GovukForm

ROLE_HELP = {
    Role.PEER_MENTOR: "Sees only the people they mentor",
    Role.CASEWORKER: "Works with the people your organisation supports",
    Role.DELIVERY_COORDINATOR: "Runs services and sessions, and answers referrals",
    Role.REFERRER: "Refers people and records custody and suitability",
    Role.PARTNERSHIP_MANAGER: "Sees the partnership's figures and reports",
    Role.ANALYST: "Sees pseudonymised figures only",
    Role.ORGANISATION_ADMIN: "Manages staff, services and agreements; sees no one's records",
}
STATUS_CHOICES = [("active", "Active"), ("deactivated", "Deactivated"), ("all", "All")]


class StaffFilterForm(GovukForm):
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "All roles"), *Role.choices]
    )
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)

    class Layout:
        button = "Apply filters"
        button_style = "secondary"

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"role": "", "status": "active"}
        return {
            "role": self.cleaned_data["role"],
            "status": self.cleaned_data["status"] or "active",
        }


class _RoleFields(GovukForm):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    is_safeguarding_lead = forms.BooleanField(
        label="Designated safeguarding lead",
        required=False,
        help_text="May open restricted information about a person for a stated reason "
        "(break-glass), which is reported to the organisations holding it.",
    )
    is_data_protection_lead = forms.BooleanField(
        label="Data-protection lead",
        required=False,
        help_text="Answers subject access requests for your organisation.",
    )


class InviteForm(_RoleFields):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter their first name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter their last name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation link is sent here. It works once, for 7 days.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "role",
        "is_safeguarding_lead",
        "is_data_protection_lead",
    ]

    class Layout:
        title = "Invite someone"
        button = "Send invitation"


class MembershipForm(_RoleFields):
    class Layout:
        title = "Change role"
        button = "Save changes"


class ConfirmForm(GovukForm):
    """A page that asks "are you sure?" before an action that ends or removes something."""

    class Layout:
        button = "Confirm"


USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,29}$")


class SetPasswordAndNameForm(GovukForm):
    """The first step of accepting an invitation: a username (for a new account) and a
    password, checked by every validator in AUTH_PASSWORD_VALIDATORS."""

    username = forms.CharField(
        label="Choose a username",
        help_text="3 to 30 characters: lower-case letters, numbers, dots, hyphens or underscores",
        max_length=30,
        error_messages={"required": "Enter a username"},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    password1 = forms.CharField(
        label="Choose a password",
        help_text="At least 12 characters. Do not use a common password, one that is only "
        "numbers, or one like your name or username. A few unrelated words together work well.",
        strip=False,
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        error_messages={"required": "Enter your password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Layout:
        button = "Continue"

    def __init__(self, *args, user: User, fixed_username: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The account the password is for, so validators can refuse one like the name.
        self.user = user
        self.fixed_username = fixed_username
        if fixed_username:
            del self.fields["username"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip().lower()
        if not USERNAME_PATTERN.match(username):
            raise ValidationError(
                "Username must be 3 to 30 characters: lower-case letters, numbers, dots, "
                "hyphens or underscores, starting with a letter or number"
            )
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("Someone already has this username: choose another")
        return username

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            if "username" in cleaned:
                self.user.username = cleaned["username"]
            try:
                password_validation.validate_password(first, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
