"""Appointment forms: booking (a phone's screen of questions), rescheduling, cancelling,
recording the outcome, and the calendar feed's settings."""

import re
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from resettle.accounts.models import User
from resettle.appointments.models import AppointmentKind
from resettle.cases.forms import offer_cases
from resettle.cases.models import Case
from resettle.contacts.forms import CaseChoice
from resettle.contacts.models import CancelledBy, ContactOutcome
from resettle.web.forms import GovukDateField, GovukForm

TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class WhenFields(forms.Form):
    """A date, a 24-hour time and a length, cleaned to `starts_at` and `minutes`."""

    on = GovukDateField(label="Date", help_text="For example, 27 3 2026")
    at = forms.CharField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        max_length=5,
        error_messages={"required": "Enter a time"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )
    minutes = forms.IntegerField(
        label="How long, in minutes?",
        min_value=5,
        max_value=600,
        initial=60,
        error_messages={
            "required": "Enter how long the appointment is, in minutes",
            "invalid": "Enter the length as a number of minutes, like 45",
            "min_value": "The length must be at least 5 minutes",
            "max_value": "The length must be 10 hours (600 minutes) or less",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    place = forms.CharField(
        label="Where",
        help_text="An address or a place everyone knows, like “the gate of HMP Northshire”. "
        "Not needed for a phone or video call.",
        required=False,
        max_length=200,
        error_messages={"max_length": "The place must be 200 characters or fewer"},
    )

    def clean_at(self) -> time:
        match = TIME.match(self.cleaned_data["at"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError("Enter a real time, like 09:30 or 14:30")
        return time(int(match[1]), int(match[2]))

    def starts_at(self) -> datetime:
        on: date = self.cleaned_data["on"]
        return timezone.make_aware(datetime.combine(on, self.cleaned_data["at"]))


def _book_anyway() -> forms.BooleanField:
    return forms.BooleanField(
        label="Book it anyway",
        help_text="Tick to keep both appointments.",
        required=False,
    )


class BookForm(GovukForm, WhenFields):
    case = CaseChoice(
        queryset=Case.objects.none(),
        label="Which case is this appointment for?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the case", "invalid_choice": "Select the case"},
    )
    kind = forms.ChoiceField(
        label="What kind of appointment?",
        choices=AppointmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of appointment"},
    )
    with_user = forms.TypedChoiceField(
        label="Who is meeting them?",
        help_text="You, unless you choose a colleague.",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "required": "Select who is meeting them",
            "invalid_choice": "Select who is meeting them",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, what to bring. It goes in the calendar only if you choose.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 1000 characters or fewer"},
    )
    book_anyway = _book_anyway()

    class Layout:
        title = "Book an appointment"
        button = "Book appointment"

    field_order = ["case", "kind", "on", "at", "minutes", "place", "with_user", "note"]

    def __init__(
        self, *args: Any, cases: list[Case], people: list[User], actor_user: User, **kwargs: Any
    ) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        kwargs["initial"] = {
            "on": tomorrow,
            "minutes": 60,
            "with_user": actor_user.pk,
            **kwargs.get("initial", {}),
        }
        if len(cases) == 1:
            kwargs["initial"]["case"] = cases[0].pk
        super().__init__(*args, **kwargs)
        self.only_case = offer_cases(self, cases)
        self.people = {user.pk: user for user in people}
        self.actor_user = actor_user
        chooser = cast(forms.TypedChoiceField, self.fields["with_user"])
        chooser.choices = [
            (user.pk, user.get_full_name() or user.get_username()) for user in people
        ]
        if len(people) == 1:
            chooser.widget = forms.HiddenInput()
        # Asked only once the worker is found to be booked at that time.
        self.clash = False

    def clean_case(self) -> Case | None:
        return self.cleaned_data.get("case") or self.only_case

    def appointment_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "case": data["case"],
            "with_user": self.people.get(data["with_user"], self.actor_user),
            "kind": data["kind"],
            "starts_at": self.starts_at(),
            "minutes": data["minutes"],
            "place": data["place"],
            "note": data["note"],
            "book_anyway": data["book_anyway"],
        }


class RescheduleForm(GovukForm, WhenFields):
    reason = forms.CharField(
        label="Why is it moving? (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "The reason must be 200 characters or fewer"},
    )
    book_anyway = _book_anyway()

    class Layout:
        title = "Reschedule this appointment"
        button = "Reschedule"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clash = False


class CancelForm(GovukForm):
    cancelled_by = forms.ChoiceField(
        label="Who cancelled?",
        choices=CancelledBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who cancelled the appointment"},
    )
    reason = forms.CharField(
        label="Why? (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "The reason must be 200 characters or fewer"},
    )

    class Layout:
        title = "Cancel this appointment"
        button = "Cancel appointment"
        button_style = "warning"
        warning = (
            "The appointment will be cancelled. This cannot be undone: book a new one instead."
        )


class OutcomeForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    cancelled_by = forms.ChoiceField(
        label="If it was cancelled, who cancelled?",
        help_text="Only if it was cancelled",
        choices=CancelledBy.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Contact note (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The note must be 4000 characters or fewer"},
    )

    class Layout:
        title = "Record what happened"
        button = "Save as a contact"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == ContactOutcome.CANCELLED and not data.get("cancelled_by"):
            self.add_error("cancelled_by", "Select who cancelled the appointment")
        if data.get("outcome") != ContactOutcome.CANCELLED:
            data["cancelled_by"] = ""
        return data


class FeedForm(GovukForm):
    include_details = forms.BooleanField(
        label="Show full names, the kind of appointment and its note in my calendar",
        help_text="Otherwise your calendar shows only the person's first name and the place. "
        "Phone calendars are often shown on lock screens and stored by other companies.",
        required=False,
    )

    class Layout:
        title = "What your calendar shows"
        button = "Save"
