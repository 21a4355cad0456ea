"""Forms for the mentoring pages. They check what was typed; the services decide what may be
saved (capacity and checks, suitability, who may override)."""

from datetime import date
from typing import Any

from django import forms

from resettle.accounts.models import User
from resettle.mentoring.models import (
    AllocationEndReason,
    LivedExperience,
    MentorGender,
    MentorProfile,
    SupervisionNote,
)
from resettle.web.forms import GovukDateField, GovukForm, GovukModelForm

LIST_HINT = "Separate with commas, for example {example}"


class WordListField(forms.CharField):
    """A comma-separated list typed in one box, kept as a list of trimmed words."""

    def __init__(self, *, example: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("help_text", LIST_HINT.format(example=example))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        items = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        if len(items) > 20:
            raise forms.ValidationError(f"Enter 20 or fewer {str(self.label).lower()}")
        if any(len(item) > 40 for item in items):
            raise forms.ValidationError("Each one must be 40 characters or fewer")
        return items


# GOV.UK radios cannot have an empty value, so "none" stands for "not recorded" or "no preference".
NO_GENDER = "none"


class GenderField(forms.ChoiceField):
    def prepare_value(self, value: Any) -> Any:
        return value or NO_GENDER

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return "" if value == NO_GENDER else value


def _gender_field(label: str, none_label: str, help_text: str = "") -> forms.ChoiceField:
    return GenderField(
        label=label,
        choices=[*MentorGender.choices, (NO_GENDER, none_label)],
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def _lived_experience_field(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=LivedExperience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class MentorProfileForm(GovukForm):
    gender = _gender_field("Gender", "Not recorded")
    lived_experience = _lived_experience_field(
        "Lived experience", "Select all the mentor is willing to draw on"
    )
    languages = WordListField(label="Languages they speak", example="English, Polish")
    area = forms.CharField(
        label="Area they cover",
        required=False,
        max_length=100,
        help_text="Towns or postcode districts, separated by commas, for example Millbrook, NR4",
    )
    interests = WordListField(label="Interests", example="football, music, fishing")
    availability = forms.CharField(
        label="When they are available",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, weekday mornings; not Fridays",
    )
    capacity = forms.IntegerField(
        label="How many mentees they can support at once",
        min_value=1,
        max_value=30,
        error_messages={
            "required": "Enter how many mentees they can support at once",
            "invalid": "How many mentees must be a whole number, like 3",
            "min_value": "How many mentees must be 1 or more",
            "max_value": "How many mentees must be 30 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
    )
    training_completed_on = GovukDateField(
        label="Date mentor training was completed",
        required=False,
        help_text="For example, 27 3 2025",
    )
    dbs_checked_on = GovukDateField(
        label="Date of the DBS check", required=False, help_text="For example, 27 3 2025"
    )
    dbs_expires_on = GovukDateField(
        label="Date the DBS check must be renewed",
        required=False,
        help_text="Usually three years after the check. For example, 27 3 2028",
    )
    active = forms.BooleanField(
        label="Taking on mentees",
        required=False,
        initial=True,
        help_text="Untick while they are on a break: they will not be suggested",
    )

    def __init__(self, *args: Any, mentors: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mentors is not None:
            self.fields = {
                "user": forms.ChoiceField(
                    label="Mentor",
                    choices=[(str(u.pk), u.get_full_name() or u.username) for u in mentors],
                    error_messages={"required": "Select the mentor"},
                    widget=forms.RadioSelect if len(mentors) <= 7 else forms.Select,
                ),
                **self.fields,
            }
        if not self.is_bound and "capacity" not in self.initial:
            self.initial["capacity"] = 3

    def profile_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "user"}


class MenteePreferencesForm(GovukForm):
    preferred_gender = _gender_field(
        "Would they prefer a mentor of a particular gender?",
        "No preference",
        "Only mentors of this gender will be suggested",
    )
    lived_experience = _lived_experience_field(
        "Lived experience they would value in a mentor", "Select all that apply"
    )
    area = forms.CharField(
        label="Where they will live or want to meet",
        required=False,
        max_length=100,
        help_text="A town or postcode district, for example Millbrook or NR4",
    )
    languages = WordListField(label="Languages they would like to speak", example="English, Polish")
    interests = WordListField(label="Their interests", example="football, music, fishing")
    notes = forms.CharField(
        label="Anything else about the mentor they want (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Do not include anything about offences",
    )

    def preference_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AllocateForm(GovukForm):
    """Confirms one mentor; the override reason is asked for only when it is needed."""

    mentor = forms.UUIDField(widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label="Why are you allocating this mentor anyway?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is recorded in the audit trail and on the case",
    )
    note = forms.CharField(
        label="Why is the mentor changing? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Layout:
        title = "Choose a mentor"
        button = "Allocate mentor"

    def __init__(
        self,
        *args: Any,
        needs_override: bool,
        reallocating: bool,
        mentor: MentorProfile | None = None,
        given_name: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if reallocating:
            self.layout.button = "Change mentor"
        # Headings use the typographic apostrophe (\u2019), as the templates do.
        if mentor is not None and reallocating:
            self.layout.title = f"Change {given_name}\u2019s mentor to {mentor}?"
        elif mentor is not None:
            self.layout.title = f"Allocate {mentor} as {given_name}\u2019s mentor?"
        if not needs_override:
            del self.fields["override_reason"]
        if not reallocating:
            del self.fields["note"]


class EndMentoringForm(GovukForm):
    class Layout:
        title = "Are you sure you want to end this mentoring?"
        button = "End mentoring"
        button_style = "warning"

    end_reason = forms.ChoiceField(
        label="Why is the mentoring ending?",
        choices=[c for c in AllocationEndReason.choices if c[0] != AllocationEndReason.REALLOCATED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the mentoring is ending"},
    )
    note = forms.CharField(
        label="More detail (optional unless you chose other)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, mentor: MentorProfile | None = None, given_name: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if mentor is not None:
            self.layout.title = (
                f"Are you sure you want to end {mentor}\u2019s mentoring of {given_name}?"
            )


class SupervisionNoteForm(GovukModelForm):
    class Meta:
        model = SupervisionNote
        fields = ["held_on", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"held_on": "For example, 27 3 2025"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = date.today()
        self.fields["held_on"].error_messages["required"] = "Enter the date of the supervision"
        self.fields["note"].error_messages["required"] = "Enter what was discussed and agreed"
