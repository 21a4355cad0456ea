"""Forms for the suitability pages. They check what was typed; the services decide what may be
saved (the dates against each other and today, measures and names against the answers)."""

from datetime import date
from typing import Any, cast

from django import forms

from resettle.suitability.models import (
    ANSWER_FIELDS,
    YES_NO_FIELDS,
    SuitabilityAssessment,
    SuitabilityReviewRequest,
)
from resettle.web.forms import GovukModelForm, choices_of

ANSWER_HINTS = {
    "group_sessions_with_adults": "For example, a weekly football session for adults",
    "sessions_with_under_18s_present": "Including shared venues where young people train",
    "sessions_with_vulnerable_adults_present": "For example, a walking football group",
    "one_to_one_sessions": "For example, coaching or mentoring with one member of staff",
}


def _required_choice(field: forms.Field, label: str) -> None:
    # A question left unanswered gets a message naming it, never the default "required".
    field.error_messages["required"] = f"Answer “{label[:1].lower()}{label[1:]}”"


class SuitabilityAssessmentForm(GovukModelForm):
    class Layout:
        title = "Record a suitability assessment"
        button = "Record assessment"
        warning = (
            "Do not describe offences or risk. "
            "Say what partners may do and what they should put in place."
        )

    class Meta:
        model = SuitabilityAssessment
        fields = [
            "assessed_on",
            "review_on",
            *ANSWER_FIELDS,
            "two_staff_needed",
            "measures",
            "areas_to_avoid",
            "named_contact_restriction",
            "named_people_to_avoid",
            "assessor_contact",
        ]
        widgets = {
            **{name: forms.RadioSelect for name in (*ANSWER_FIELDS, *YES_NO_FIELDS)},
            "areas_to_avoid": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 5}),
            "named_people_to_avoid": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "assessed_on": "For example, 27 3 2025",
            "review_on": "Within 12 months of the assessment. For example, 27 3 2026",
            **ANSWER_HINTS,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (*ANSWER_FIELDS, *YES_NO_FIELDS):
            field = cast(forms.ChoiceField, self.fields[name])
            # Radios start unanswered, so each answer is a decision, never a default.
            field.choices = [c for c in choices_of(field) if c[0] != ""]
            _required_choice(field, str(field.label))
        self.fields["assessed_on"].initial = date.today()
        self.fields["assessed_on"].error_messages["required"] = "Enter the date of the assessment"
        self.fields["assessor_contact"].error_messages["required"] = (
            "Enter a phone number or email address partners can use to reach you"
        )

    def assessment_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReviewRequestForm(GovukModelForm):
    class Layout:
        button = "Request a review"

    class Meta:
        model = SuitabilityReviewRequest
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
