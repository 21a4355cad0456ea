"""The contact form: one screen a mentor can fill in on a phone between meetings."""

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from resettle.cases.forms import offer_cases
from resettle.cases.models import Case
from resettle.contacts.models import CancelledBy, ContactKind, ContactOutcome
from resettle.core.pathways import Pathway
from resettle.web.forms import GovukDateField, GovukForm

TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, case: Case) -> str:
        opened = f"opened {case.opened_on:%-d %B %Y}"
        return f"{case.organisation.name} ({case.get_state_display().lower()}, {opened})"


class ContactForm(GovukForm):
    case = CaseChoice(
        queryset=Case.objects.none(),
        label="Which case is this contact for?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the case", "invalid_choice": "Select the case"},
    )
    kind = forms.ChoiceField(
        label="How did you have contact?",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you had contact"},
    )
    outcome = forms.ChoiceField(
        label="Did it happen?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the contact happened"},
    )
    cancelled_by = forms.ChoiceField(
        label="If it was cancelled, who cancelled?",
        help_text="Only if the contact was cancelled",
        choices=CancelledBy.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    happened_on = GovukDateField(label="Date", help_text="For example, 27 3 2026")
    happened_time = forms.CharField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        max_length=5,
        error_messages={"required": "Enter a time"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )
    duration_minutes = forms.IntegerField(
        label="How long did it last, in minutes? (optional)",
        required=False,
        min_value=1,
        max_value=24 * 60,
        error_messages={
            "invalid": "Duration must be a number of minutes, like 45",
            "min_value": "Duration must be at least 1 minute",
            "max_value": "Duration must be 1440 minutes (a day) or less",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    pathways = forms.MultipleChoiceField(
        label="Which pathways did you talk about? (optional)",
        choices=Pathway.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The note must be 4000 characters or fewer"},
    )
    sensitive = forms.BooleanField(
        label="The note is sensitive",
        help_text=(
            "Only your organisation can read a sensitive note (a peer mentor: only their own)."
        ),
        required=False,
    )

    class Layout:
        title = "Log a contact"
        button = "Save contact"
        secondary_button = ("another", "Save and log another")

    # Asked less often (most contacts happen, as the default says), so the form is short on a
    # phone: these are folded under "More details", last, and the error summary keeps that order.
    MORE_DETAILS = ("outcome", "cancelled_by", "duration_minutes", "pathways")
    field_order = ["case", "kind", "happened_on", "happened_time", "note", "sensitive"]

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        now = timezone.localtime()
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "happened_on": now.date(),
            "happened_time": now.strftime("%H:%M"),
            "outcome": ContactOutcome.ATTENDED,
            **kwargs["initial"],
        }
        if len(cases) == 1:
            kwargs["initial"]["case"] = cases[0].pk
        super().__init__(*args, **kwargs)
        self.only_case = offer_cases(self, cases)

    @property
    def more_details_open(self) -> bool:
        """Whether "More details" starts open: when one of its answers has an error, or was
        changed from its default, so that nothing the person answered is hidden from them."""
        if not self.is_bound:
            return False
        shown = set(self.errors) | set(self.changed_data)
        return any(name in shown for name in self.MORE_DETAILS)

    def clean_case(self) -> Case | None:
        return self.cleaned_data.get("case") or self.only_case

    def clean_happened_time(self) -> time:
        match = TIME.match(self.cleaned_data["happened_time"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError("Enter a real time, like 09:30 or 14:30")
        return time(int(match[1]), int(match[2]))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        outcome = data.get("outcome")
        if outcome == ContactOutcome.CANCELLED and not data.get("cancelled_by"):
            self.add_error("cancelled_by", "Select who cancelled the contact")
        return data

    def contact_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        on: date = data["happened_on"]
        happened_at = timezone.make_aware(datetime.combine(on, data["happened_time"]))
        cancelled = data["outcome"] == ContactOutcome.CANCELLED
        return {
            "kind": data["kind"],
            "happened_at": happened_at,
            "outcome": data["outcome"],
            # Answered in a hidden follow-up question: ignored unless the contact was cancelled.
            "cancelled_by": data["cancelled_by"] if cancelled else "",
            "duration_minutes": data["duration_minutes"],
            "pathways": list(data["pathways"]),
            "note": data["note"],
            "sensitive": data["sensitive"],
        }


class ContactFilterForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Any"), *ContactOutcome.choices], required=False
    )
    kind = forms.ChoiceField(
        label="Kind of contact", choices=[("", "Any"), *ContactKind.choices], required=False
    )
    pathway = forms.ChoiceField(
        label="Pathway", choices=[("", "Any"), *Pathway.choices], required=False
    )
