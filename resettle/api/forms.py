from datetime import timedelta

from django import forms

from resettle.web.forms import GovukForm

NO_EXPIRY = "never"
EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    (NO_EXPIRY, "Does not expire"),
]


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Say what will use it, so you can tell your tokens apart. For example, "
        "'Weekly referrals import'.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Token name must be 100 characters or fewer",
        },
    )
    expires_in = forms.ChoiceField(
        label="When should it stop working?",
        choices=EXPIRY_CHOICES,
        initial="90",
        widget=forms.RadioSelect,
        help_text="A token that expires limits the harm if it is ever copied.",
        error_messages={"required": "Select when the token should stop working"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["spellcheck"] = "false"

    @property
    def lifetime(self) -> timedelta | None:
        days = self.cleaned_data["expires_in"]
        return None if days == NO_EXPIRY else timedelta(days=int(days))
