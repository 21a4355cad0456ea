"""Forms for the sharing agreement pages. They check what was typed; the services decide what
may be saved (the hard limits on categories come from `SharingAgreement.clean()`)."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from resettle.access.categories import Category
from resettle.accounts.models import Organisation, OrganisationKind
from resettle.partnerships.models import (
    MAX_FOLLOW_UP_DAYS,
    LawfulBasis,
    Partnership,
    PermittedExport,
    SharingAgreement,
)
from resettle.partnerships.selectors import AgreementStatus
from resettle.partnerships.services import AGREEMENT_FIELDS
from resettle.web.forms import GovukDateField, GovukForm


class AgreementFilterForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *AgreementStatus.choices],
    )


class AgreementForm(GovukForm):
    partnership = forms.ModelChoiceField(
        label="Partnership",
        queryset=Partnership.objects.none(),
        help_text="The partnership whose organisations the agreement is between",
        error_messages={
            "required": "Choose the partnership",
            "invalid_choice": "Choose one of your organisation's partnerships",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the agreement",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    document_reference = forms.CharField(
        label="Document reference",
        max_length=200,
        help_text="The reference of the signed agreement, so anyone can find the document",
        error_messages={
            "required": "Enter the document reference",
            "max_length": "Document reference must be 200 characters or fewer",
        },
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=2000,
        help_text="Why the information is shared, in plain words",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the purpose of the agreement",
            "max_length": "Purpose must be 2000 characters or fewer",
        },
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        help_text="Under consent, each person's own consent must also cover what is shared",
        error_messages={"required": "Choose the lawful basis"},
    )
    categories = forms.MultipleChoiceField(
        label="Which information may be shared?",
        help_text="Select all that apply",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one data category"},
    )
    recipient_kinds = forms.MultipleChoiceField(
        label="Which kinds of organisation receive it?",
        help_text="Every organisation of these kinds in the partnership. Select all that apply.",
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_organisations = forms.MultipleChoiceField(
        label="Which other organisations receive it? (optional)",
        help_text="Organisations named in the agreement, whatever their kind",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose organisations from the list"},
    )
    starts_on = GovukDateField(
        label="Start date",
        help_text="The first day it applies. For example, 1 4 2025",
        error_messages={"required": "Enter the start date"},
    )
    ends_on = GovukDateField(
        label="End date",
        required=False,
        help_text="The first day it no longer applies. Leave blank if it runs until ended.",
    )
    covers_children = forms.BooleanField(
        label="Share these categories of children's records (under 18) too",
        help_text="Without this, a child's records beyond their name stay with family "
        "services, whatever the agreement shares about adults.",
        required=False,
    )
    follow_up_days = forms.IntegerField(
        label="Follow-up window, in days (optional)",
        required=False,
        min_value=1,
        max_value=MAX_FOLLOW_UP_DAYS,
        help_text="After an organisation stops working with someone, it may still read their "
        "name and contact details for this many days, to follow up outcomes. Leave blank if "
        "access ends with the work.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        error_messages={
            "invalid": "Enter the follow-up window as a whole number of days",
            "min_value": "The follow-up window must be at least 1 day",
            "max_value": f"The follow-up window must be {MAX_FOLLOW_UP_DAYS} days or fewer",
        },
    )
    permitted_exports = forms.MultipleChoiceField(
        label="Which files may be made for outside the partnership? (optional)",
        help_text="Select all that apply",
        choices=PermittedExport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evaluator = forms.CharField(
        label="Evaluator (optional)",
        max_length=200,
        required=False,
        help_text="The external evaluator a pseudonymised extract may go to, as named in the "
        "agreement",
        error_messages={"max_length": "Evaluator must be 200 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        partnerships: QuerySet[Partnership] | None,
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        """`partnerships` to choose from, or None when the partnership is already fixed (an
        agreement being changed, or an admin whose organisation is in one partnership)."""
        super().__init__(*args, **kwargs)
        if partnerships is None:
            del self.fields["partnership"]
        else:
            cast(forms.ModelChoiceField, self.fields["partnership"]).queryset = partnerships
        cast(forms.ChoiceField, self.fields["recipient_organisations"]).choices = [
            (str(o.pk), f"{o.name} ({o.get_kind_display().lower()})") for o in organisations
        ]

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in AGREEMENT_FIELDS}


def agreement_initial(agreement: SharingAgreement) -> dict[str, Any]:
    initial = {name: getattr(agreement, name) for name in AGREEMENT_FIELDS}
    initial["recipient_organisations"] = [
        str(o.pk) for o in agreement.recipient_organisations.all()
    ]
    return initial


class AgreementEndForm(GovukForm):
    """No fields: it carries the CSRF token and any error about ending."""

    class Layout:
        title = "Are you sure you want to end this agreement?"
        button = "End this agreement"
        button_style = "warning"
