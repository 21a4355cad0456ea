"""Forms for the data-protection pages. They check what was typed; the services decide what may
be done."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from resettle.dataprotection.models import (
    ACTIONS_FOR,
    MAX_YEARS,
    MIN_YEARS,
    RecordType,
    RetentionAction,
)
from resettle.dataprotection.services import REASON_LENGTH
from resettle.partnerships.models import Partnership
from resettle.people.forms import PersonForm
from resettle.web.forms import GovukForm


class FindPersonForm(GovukForm):
    query = forms.CharField(
        label="Name or identifier",
        max_length=100,
        help_text="A first or last name, or a PNC ID, prison number, CRN or National Insurance "
        "number",
        error_messages={
            "required": "Enter a name or an identifier",
            "max_length": "Enter 100 characters or fewer",
        },
    )

    class Layout:
        button = "Find"


class SubjectAccessConfirmForm(GovukForm):
    """The confirmation step: a pack holds a whole record, so the lead first says the request
    is the person's own (or made on their behalf with their authority)."""

    identity_checked = forms.BooleanField(
        label="I have checked that this request comes from the person, or from someone they "
        "have authorised to ask for them",
        error_messages={
            "required": "Confirm that you have checked who is asking before making the pack"
        },
    )

    class Layout:
        button = "Make the pack"


class CorrectionForm(PersonForm):
    """A correction to the person's details, with the reason: the record's history says why it
    changed."""

    reason = forms.CharField(
        label="Why is this being corrected?",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, “The person told us their date of birth was recorded wrongly” "
        "— this is kept with the change",
        error_messages={
            "required": "Say why the record is being corrected",
            "max_length": f"The reason must be {REASON_LENGTH} characters or fewer",
        },
    )

    class Layout:
        title = "Correct personal details"
        button = "Save the correction"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A correction is to someone already here: no duplicate check to confirm.
        del self.fields["confirm_new"]


class RetentionRuleForm(GovukForm):
    """One partnership's retention for one type of record: what is done follows from the type."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        label="Partnership",
        empty_label=None,
        error_messages={
            "required": "Choose a partnership",
            "invalid_choice": "Choose one of your organisation's partnerships",
        },
    )
    record_type = forms.ChoiceField(
        label="Type of record",
        choices=[
            (value, f"{label} ({RetentionAction(ACTIONS_FOR[value][0]).label.lower()})")
            for value, label in RecordType.choices
        ],
        error_messages={
            "required": "Choose a type of record",
            "invalid_choice": "Choose one of the types of record listed",
        },
    )
    years = forms.IntegerField(
        label="Years kept after support ended",
        min_value=MIN_YEARS,
        max_value=MAX_YEARS,
        help_text=f"A whole number from {MIN_YEARS} to {MAX_YEARS}",
        error_messages={
            "required": "Enter how many years the records are kept",
            "invalid": "Enter a whole number of years",
            "min_value": f"Keep records for at least {MIN_YEARS} year",
            "max_value": f"Keep records for at most {MAX_YEARS} years",
        },
    )

    class Layout:
        button = "Save the rule"

    def __init__(self, *args: Any, partnerships: QuerySet[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partnership"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partnerships
        only = list(partnerships[:2])
        if len(only) == 1:
            self.initial.setdefault("partnership", only[0].pk)


class LegalHoldForm(GovukForm):
    reason = forms.CharField(
        label="Why must these records be kept?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a claim, an inquiry or a court order — this is kept with the hold",
        error_messages={
            "required": "Say why the records must be kept",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )

    class Layout:
        button = "Place the legal hold"
