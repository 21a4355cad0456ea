from typing import cast
from uuid import UUID

from django import forms

from resettle.web.forms import GovukForm


class AccessLogFilterForm(GovukForm):
    organisation = forms.ChoiceField(
        label="Organisation",
        required=False,
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )

    def __init__(self, *args, organisations: list[tuple[UUID, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", "All organisations")
        ] + [(str(pk), name) for pk, name in organisations]

    def organisation_id(self) -> UUID | None:
        """The organisation chosen, or None for all (also when the choice was not valid)."""
        if not self.is_valid() or not self.cleaned_data["organisation"]:
            return None
        return UUID(self.cleaned_data["organisation"])
