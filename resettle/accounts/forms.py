from typing import cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from resettle.accounts.models import Membership, Organisation, OrganisationKind
from resettle.web.forms import GovukForm, GovukFormMixin, GovukModelForm, TelInput


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been switched off. Ask your organisation's administrator.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # GOV.UK advises against autofocus: it moves screen reader users past the page's context.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs["spellcheck"] = "false"


class SwitchOrganisationForm(GovukForm):
    membership = forms.ChoiceField(
        label="Which organisation are you working for now?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the organisation you are working for",
            "invalid_choice": "Select one of your own organisations",
        },
    )

    def __init__(self, *args, memberships: list[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the user's own current memberships are valid answers.
        cast(forms.ChoiceField, self.fields["membership"]).choices = [
            (str(m.pk), f"{m.organisation.name} ({m.get_role_display()})") for m in memberships
        ]


class OrganisationForm(GovukModelForm):
    class Meta:
        model = Organisation
        # Not the kind: only Resettle's operators set it (accounts.services.KIND_REFUSED).
        fields = ["name", "description", "email", "phone"]
        labels = {"kind": "Kind of organisation", "email": "Email address", "phone": "Phone number"}
        help_texts = {
            "description": "What the organisation does and who it works with.",
            "phone": "For example, 0161 496 0000",
        }
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "unique": "Another organisation already has this name",
            },
            "kind": {"required": "Select the kind of organisation"},
            "email": {
                "invalid": "Enter an email address in the correct format, like name@example.org"
            },
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "phone": TelInput(attrs={"autocomplete": "tel", "class": "govuk-input--width-20"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class OrganisationFilterForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of organisation",
        required=False,
        choices=[("", "All kinds"), *OrganisationKind.choices],
        # Many kinds: a select keeps the filter short.
        widget=forms.Select,
    )
