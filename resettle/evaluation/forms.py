"""Forms for the evaluation pages. They check what was typed; the services decide what may be
saved."""

from typing import Any

from django import forms

from resettle.evaluation.models import (
    Cohort,
    CohortResult,
    Evaluation,
    OffenceCategory,
    OutcomeEvent,
    OutcomeEventKind,
    OutcomeSource,
)
from resettle.web.forms import GovukForm, GovukModelForm


class OutcomeEventForm(GovukModelForm):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=OutcomeEventKind.choices,
        widget=forms.RadioSelect,
        help_text="A recall is recorded on the custody record and shows here from there",
        error_messages={"required": "Select what happened"},
    )
    offence_category = forms.ChoiceField(
        label="Offence category",
        choices=[("", "Choose a category"), *OffenceCategory.choices],
        error_messages={"required": "Choose the offence category"},
    )
    source = forms.ChoiceField(
        label="Where the information came from",
        choices=[("", "Choose a source"), *OutcomeSource.choices],
        error_messages={"required": "Choose where the information came from"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only those who may see offence information read it",
        error_messages={"max_length": "Note must be 1000 characters or fewer"},
    )

    class Meta:
        model = OutcomeEvent
        fields = ("kind", "occurred_on", "offence_category", "source", "note")
        labels = {"occurred_on": "Date"}

    class Layout:
        title = "Record a criminal justice outcome"
        button = "Save outcome"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].error_messages["required"] = "Enter the date"


class CohortForm(GovukModelForm):
    name = forms.CharField(
        label="Cohort name",
        max_length=200,
        error_messages={"required": "Enter a name for the cohort"},
    )

    class Meta:
        model = Cohort
        fields = ("name", "service_from", "service_to")
        labels = {
            "service_from": "Support started on or after",
            "service_to": "Support started on or before",
        }

    class Layout:
        title = "Build a Justice Data Lab cohort"
        button = "Build cohort"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_from"].error_messages["required"] = "Enter the first date"
        self.fields["service_to"].error_messages["required"] = "Enter the last date"


class CohortResultForm(GovukModelForm):
    class Meta:
        model = CohortResult
        fields = (
            "received_on",
            "treatment_size",
            "comparison_size",
            "rate",
            "rate_low",
            "rate_high",
            "comparison_rate",
            "comparison_rate_low",
            "comparison_rate_high",
            "frequency",
            "frequency_low",
            "frequency_high",
            "comparison_frequency",
            "comparison_frequency_low",
            "comparison_frequency_high",
            "days_to_reoffend",
            "days_to_reoffend_low",
            "days_to_reoffend_high",
            "comparison_days_to_reoffend",
            "comparison_days_to_reoffend_low",
            "comparison_days_to_reoffend_high",
            "caveats",
        )
        labels = {
            "received_on": "Date the results arrived",
            "treatment_size": "People matched in the cohort (treatment group)",
            "comparison_size": "People in the matched comparison group",
            "rate": "Cohort: one-year proven reoffending rate (%)",
            "rate_low": "Cohort rate: lower end of the 95% confidence interval",
            "rate_high": "Cohort rate: upper end of the 95% confidence interval",
            "comparison_rate": "Comparison: one-year proven reoffending rate (%)",
            "comparison_rate_low": "Comparison rate: lower end of the 95% confidence interval",
            "comparison_rate_high": "Comparison rate: upper end of the 95% confidence interval",
            "frequency": "Cohort: proven reoffences per person",
            "frequency_low": "Cohort frequency: lower end of the 95% confidence interval",
            "frequency_high": "Cohort frequency: upper end of the 95% confidence interval",
            "comparison_frequency": "Comparison: proven reoffences per person",
            "comparison_frequency_low": "Comparison frequency: lower end of the interval",
            "comparison_frequency_high": "Comparison frequency: upper end of the interval",
            "days_to_reoffend": "Cohort: average days to first proven reoffence (optional)",
            "days_to_reoffend_low": "Cohort days: lower end of the interval (optional)",
            "days_to_reoffend_high": "Cohort days: upper end of the interval (optional)",
            "comparison_days_to_reoffend": "Comparison: average days to first proven reoffence "
            "(optional)",
            "comparison_days_to_reoffend_low": "Comparison days: lower end (optional)",
            "comparison_days_to_reoffend_high": "Comparison days: upper end (optional)",
            "caveats": "The Justice Data Lab's caveats",
        }
        widgets = {"caveats": forms.Textarea(attrs={"rows": 5})}

    class Layout:
        title = "Record Justice Data Lab results"
        button = "Save results"


class EvaluationForm(GovukModelForm):
    class Meta:
        model = Evaluation
        fields = ("name", "evaluator")
        labels = {"name": "Evaluation name", "evaluator": "Evaluator"}
        help_texts = {
            "evaluator": "The organisation carrying out the evaluation, as named in the sharing "
            "agreement"
        }

    class Layout:
        title = "Start an evaluation"
        button = "Start evaluation"


class ExportForm(GovukForm):
    """No fields: it carries the CSRF token and any refusal."""
