"""Forms of the register pages. A mark is one tap: the register is one form whose buttons each
post one person's mark, with a key made when the page was shown, so posting the same page twice
(a double tap, a refresh) takes the mark once."""

import re
import uuid
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from resettle.people.models import Person
from resettle.registers.models import AttendanceStatus
from resettle.web.forms import GovukDateField, GovukForm


class MarkForm(GovukForm):
    """The register's one-tap marks: `mark` is "<person id>:<status>"."""

    page_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    mark = forms.CharField(max_length=100)
    over_capacity_reason = forms.CharField(
        label="If the session is full, why they were let in", required=False, max_length=500
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["page_key"] = str(uuid.uuid4())

    def clean_mark(self) -> tuple[uuid.UUID, str]:
        person_id, _, status = self.cleaned_data["mark"].partition(":")
        try:
            person = uuid.UUID(person_id)
        except ValueError as exc:
            raise ValidationError("Choose someone on the register") from exc
        if status not in AttendanceStatus.values:
            raise ValidationError("Choose a mark")
        return person, status

    def key(self) -> str:
        person, status = self.cleaned_data["mark"]
        return f"{self.cleaned_data['page_key']}:{person}:{status}"


class HeadcountForm(GovukForm):
    unregistered_headcount = forms.IntegerField(
        label="People here who are not on the register",
        min_value=0,
        max_value=10000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter how many people came who are not on the register"},
    )

    class Layout:
        button = "Save headcount"


class NoteForm(GovukForm):
    person = forms.TypedChoiceField(
        label="Who is the note about", coerce=str, error_messages={"required": "Choose someone"}
    )
    text = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Enter what happened"},
    )
    concern = forms.BooleanField(label="This is a concern", required=False)
    notify_referrer = forms.BooleanField(label="Tell the person who referred them", required=False)

    class Layout:
        title = "Note about an attendee"
        button = "Save note"

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose someone")] + [(str(p.pk), p.full_name) for p in people]


class SignUpForm(GovukForm):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    reason = forms.CharField(
        label="Why are they joining",
        max_length=500,
        initial="Turned up to the open session and wants to come back",
        error_messages={"required": "Enter why they are joining"},
    )

    class Layout:
        title = "Sign up someone new"
        button = "Sign up and mark as here"


TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _time_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text="Use the 24-hour clock, for example 18:30",
        max_length=5,
        error_messages={"required": f"Enter the {label.lower()}"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )


def _clock(value: str) -> time:
    match = TIME.match(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError("Enter a real time, like 09:30 or 18:30")
    return time(int(match[1]), int(match[2]))


class MoveForm(GovukForm):
    on = GovukDateField(label="New date", help_text="For example, 27 3 2026")
    starts = _time_field("Start time")
    ends = _time_field("Finish time")
    reason = forms.CharField(label="Why is it moving (optional)", required=False, max_length=500)

    class Layout:
        title = "Move this session"
        button = "Move session"
        warning = "The workers of everyone booked on it are told."

    def __init__(self, *args: Any, session: Any, **kwargs: Any) -> None:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        kwargs["initial"] = {
            "on": starts.date(),
            "starts": f"{starts:%H:%M}",
            "ends": f"{ends:%H:%M}",
        }
        super().__init__(*args, **kwargs)

    def clean_starts(self) -> time:
        return _clock(self.cleaned_data["starts"])

    def clean_ends(self) -> time:
        return _clock(self.cleaned_data["ends"])

    def moment(self, which: str) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["on"], self.cleaned_data[which])
        )


class SessionForm(GovukForm):
    on = GovukDateField(label="Date", help_text="For example, 27 3 2026")
    starts = _time_field("Start time")
    ends = _time_field("Finish time")
    place = forms.CharField(label="Where (optional)", required=False, max_length=200)
    capacity = forms.IntegerField(
        label="Places (optional)",
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    open = forms.BooleanField(label="Open: anyone may turn up", required=False)
    under_18s_present = forms.BooleanField(label="Under-18s are present", required=False)
    vulnerable_adults_present = forms.BooleanField(
        label="Vulnerable adults are present", required=False
    )

    class Layout:
        title = "Add a session"
        button = "Add session"

    def clean_starts(self) -> time:
        return _clock(self.cleaned_data["starts"])

    def clean_ends(self) -> time:
        return _clock(self.cleaned_data["ends"])

    def session_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": timezone.make_aware(datetime.combine(data["on"], data["starts"])),
            "ends_at": timezone.make_aware(datetime.combine(data["on"], data["ends"])),
            "place": data["place"],
            "capacity": data["capacity"],
            "open": data["open"],
            "under_18s_present": data["under_18s_present"],
            "vulnerable_adults_present": data["vulnerable_adults_present"],
        }


class GenerateForm(GovukForm):
    weeks = forms.IntegerField(
        label="How many weeks ahead",
        min_value=1,
        max_value=52,
        initial=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )

    class Layout:
        title = "Make sessions from the schedule"
        button = "Make sessions"


class CancelForm(GovukForm):
    reason = forms.CharField(
        label="Why is the session cancelled",
        max_length=500,
        error_messages={"required": "Enter why the session is cancelled"},
    )

    class Layout:
        title = "Cancel this session"
        button = "Cancel session"
        button_style = "warning"
        warning = "The workers of everyone booked on it are told."


class CompleteForm(GovukForm):
    completed_on = forms.DateField(label="Date completed")
    award_achieved_on = forms.DateField(label="Date of the award", required=False)

    class Layout:
        title = "Confirm completion"
        button = "Confirm completion"

    def __init__(self, *args: Any, with_award: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = date.today()
        if not with_award:
            del self.fields["award_achieved_on"]


class FeedbackForm(GovukForm):
    rating = forms.TypedChoiceField(
        label="How useful was it",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            (5, "Very useful"),
            (4, "Useful"),
            (3, "Neither"),
            (2, "Not very useful"),
            (1, "Not useful at all"),
        ],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label="Anything they would like to say (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    class Layout:
        title = "Their feedback"
        button = "Save feedback"
