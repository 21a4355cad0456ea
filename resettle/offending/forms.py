"""Forms for the offence and risk pages. They check what was typed; the services decide what may
be saved (dates against today and the current assessment, an end against the start)."""

from datetime import date
from typing import Any, cast

from django import forms

from resettle.evaluation.models import OffenceCategory
from resettle.offending.models import (
    MAX_DAYS,
    MAX_MONTHS,
    LicenceCondition,
    MappaCategory,
    MappaLevel,
    RiskAssessment,
    RoshLevel,
    Sentence,
)
from resettle.web.forms import GovukDateField, GovukForm, GovukModelForm, choices_of

EXAMPLE_DATE = "For example, 27 3 2025"
ONLY_PROBATION_AND_PRISON = "Only probation and the prison resettlement team can read it"


def _without_blank(form: forms.BaseForm, *names: str) -> None:
    """Radios start unanswered, so each answer is a decision, never a default."""
    for name in names:
        field = cast(forms.ChoiceField, form.fields[name])
        field.choices = [c for c in choices_of(field) if c[0] != ""]


def _number(label: str, maximum: int, unit: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        # A text box with a numeric keypad, as the GOV.UK design system advises for numbers.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "invalid": f"Enter the {unit} as a whole number, like 18",
            "min_value": f"The {unit} must be 0 or more",
            "max_value": f"The {unit} must be {maximum} or fewer",
        },
    )


class SentenceForm(GovukModelForm):
    index_offence_category = forms.ChoiceField(
        label="Index offence category",
        choices=[("", "Choose a category"), *OffenceCategory.choices],
        help_text="The group of the main offence the sentence was passed for",
        error_messages={"required": "Choose the index offence category"},
    )
    length_months = _number("Length: months", MAX_MONTHS, "months")
    length_days = _number("Length: days", MAX_DAYS, "days")

    class Meta:
        model = Sentence
        fields = [
            "index_offence_category",
            "sentence_type",
            "length_months",
            "length_days",
            "sentenced_on",
            "court",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "sentenced_on": EXAMPLE_DATE,
            "court": "For example, Northshire Crown Court",
            "notes": ONLY_PROBATION_AND_PRISON,
        }

    class Layout:
        title = "Record a sentence"
        button = "Save sentence"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_blank(self, "sentence_type")
        self.fields["sentence_type"].error_messages["required"] = "Select the type of sentence"
        self.fields["length_months"].help_text = "Leave the length empty for a life sentence or IPP"
        self.fields["sentenced_on"].error_messages["required"] = "Enter the date of sentence"


class SentenceCorrectionForm(SentenceForm):
    """The sentence as recorded, to put right, with why; the version read travels with it."""

    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the length was typed wrongly. The audit trail keeps what it "
        "said before",
        error_messages={"required": "Say why the sentence is being corrected"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Layout:
        title = "Correct this sentence"
        button = "Save correction"
        warning = "Only to put right a mistake. Record a later sentence as a new sentence."

    def __init__(self, *args: Any, instance: Sentence, **kwargs: Any) -> None:
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["version"].initial = instance.version

    def correction(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SentenceForm.Meta.fields}


class RiskAssessmentForm(GovukModelForm):
    rosh_level = forms.ChoiceField(
        label="Risk of serious harm (RoSH)",
        choices=RoshLevel.choices,
        widget=forms.RadioSelect,
        help_text="The highest level in the current assessment",
        error_messages={"required": "Select the risk of serious harm"},
    )
    mappa_category = forms.ChoiceField(
        label="MAPPA category",
        choices=MappaCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the MAPPA category, or not a MAPPA case"},
    )
    mappa_level = forms.ChoiceField(
        label="MAPPA level",
        choices=MappaLevel.choices,
        widget=forms.RadioSelect,
        help_text="The level the case is managed at. Not managed under MAPPA if it is not a "
        "MAPPA case",
        error_messages={"required": "Select the MAPPA level, or not managed under MAPPA"},
    )

    class Meta:
        model = RiskAssessment
        fields = ["assessed_on", "rosh_level", "mappa_category", "mappa_level", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"assessed_on": EXAMPLE_DATE, "notes": ONLY_PROBATION_AND_PRISON}

    class Layout:
        title = "Record a risk assessment"
        button = "Save risk assessment"
        warning = "This replaces the current assessment, which is kept as history."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = date.today()
        self.fields["assessed_on"].error_messages["required"] = "Enter the date of the assessment"


class LicenceConditionForm(GovukModelForm):
    class Meta:
        model = LicenceCondition
        fields = ["kind", "wording", "starts_on", "ends_on"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 4})}
        labels = {"ends_on": "End date (optional)"}
        help_texts = {
            "wording": "As it is written in the licence. " + ONLY_PROBATION_AND_PRISON,
            "starts_on": "Usually the day of release. " + EXAMPLE_DATE,
            "ends_on": "Only if it is already set. You can end the condition later",
        }

    class Layout:
        title = "Add a licence condition"
        button = "Save licence condition"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_blank(self, "kind")
        self.fields["kind"].error_messages["required"] = "Select the type of condition"
        self.fields["wording"].error_messages["required"] = "Enter the wording of the condition"
        self.fields["starts_on"].error_messages["required"] = "Enter the start date"


class EndLicenceConditionForm(GovukForm):
    """Asks "are you sure?" with the end date; the version read travels with it, so an end made
    on a condition someone has changed since is refused."""

    ends_on = GovukDateField(
        label="End date",
        help_text="The day the condition stops applying. " + EXAMPLE_DATE,
        error_messages={"required": "Enter the date the condition ends"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Layout:
        title = "End this licence condition?"
        button = "End licence condition"
        button_style = "warning"
        warning = "The condition stays on the record, with its end date, as history."

    def __init__(self, *args: Any, condition: LicenceCondition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].initial = date.today()
        self.fields["version"].initial = condition.version
