"""The record-consent form. It checks what was typed; `Consent.clean()` and the service decide
what may be saved (a child's consent, the organisations that may be named)."""

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from resettle.access.categories import Category
from resettle.accounts.models import Organisation, OrganisationKind
from resettle.consent.models import ConsentGivenBy, ConsentMethod
from resettle.people.models import Person
from resettle.web.forms import GovukDateField, GovukForm


class ConsentForm(GovukForm):
    categories = forms.MultipleChoiceField(
        label="What information may be shared?",
        help_text="Select all that apply",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of information"},
    )
    organisation_kinds = forms.MultipleChoiceField(
        label="Which kinds of organisation may it be shared with?",
        help_text="Every organisation of these kinds in the partnership. Select all that apply.",
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.MultipleChoiceField(
        label="Which other organisations may it be shared with? (optional)",
        help_text="Organisations the person named, whatever their kind",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose organisations from the list"},
    )
    method = forms.ChoiceField(
        label="How was consent given?",
        choices=ConsentMethod.choices,
        error_messages={"required": "Choose how consent was given"},
    )
    given_by = forms.ChoiceField(
        label="Who gave consent?",
        choices=ConsentGivenBy.choices,
        error_messages={"required": "Choose who gave consent"},
    )
    given_by_name = forms.CharField(
        label="Name of the person with parental responsibility",
        help_text="Only if someone with parental responsibility gave consent",
        required=False,
        max_length=200,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    given_on = GovukDateField(
        label="Date consent was given",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date consent was given"},
    )
    expires_on = GovukDateField(
        label="Expiry date",
        required=False,
        help_text="Leave blank if the consent does not expire. The first day it no longer applies.",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Notes must be 2000 characters or fewer"},
    )

    def __init__(
        self, *args: Any, person: Person, organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"given_on": date.today()})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisations"]).choices = [
            (str(o.pk), f"{o.name} ({o.get_kind_display().lower()})") for o in organisations
        ]
        if person.is_child:
            self.fields["given_by"].help_text = (
                f"{person.given_name} is under 18: consent must come from someone with parental "
                "responsibility, or from them after an assessment that they are competent to decide"
            )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "categories": data["categories"],
            "organisation_kinds": data["organisation_kinds"],
            "organisation_ids": data["organisations"],
            "method": data["method"],
            "given_by": data["given_by"],
            "given_by_name": data["given_by_name"],
            "given_on": data["given_on"],
            "expires_on": data["expires_on"],
            "notes": data["notes"],
        }
