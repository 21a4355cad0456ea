"""Forms for action plans: a goal in the person's own words, a step with its owner, progress,
and a review."""

from datetime import date
from typing import Any, cast

from django import forms

from resettle.accounts.models import Organisation
from resettle.cases.models import Case
from resettle.core.pathways import Pathway
from resettle.plans.models import GoalStatus, StepOwner
from resettle.web.forms import GovukDateField, GovukForm

DATE_HINT = "For example, 27 3 2026"


class _CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, case: Case) -> str:
        return f"{case.organisation.name}, opened {case.opened_on:%-d %B %Y}"


class _WithCase(GovukForm):
    """The case to work on: asked only when the actor's organisation has more than one."""

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"] = _CaseChoice(
            queryset=Case.objects.filter(pk__in=[c.pk for c in cases]).select_related(
                "organisation"
            ),
            label="Which case is this for?",
            widget=forms.RadioSelect if len(cases) > 1 else forms.HiddenInput,
            initial=cases[0].pk if len(cases) == 1 else None,
            empty_label=None,
            error_messages={"required": "Select the case", "invalid_choice": "Select the case"},
        )
        self.order_fields(["case"])
        self.only_case = cases[0] if len(cases) == 1 else None
        if self.only_case is not None:
            self.fields["case"].required = False

    def clean_case(self) -> Case | None:
        return self.cleaned_data.get("case") or self.only_case


class GoalForm(_WithCase):
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose a pathway"), *Pathway.choices],
        error_messages={"required": "Select a pathway"},
    )
    title = forms.CharField(
        label="Goal",
        max_length=200,
        help_text="A short name for the goal, for example “Get my own flat”",
        error_messages={
            "required": "Enter the goal",
            "max_length": "The goal must be 200 characters or fewer",
        },
    )
    in_own_words = forms.CharField(
        label="In their own words (optional)",
        required=False,
        max_length=2000,
        help_text="What the person said they want, as they said it",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    barriers = forms.CharField(
        label="Barriers (optional)",
        required=False,
        max_length=2000,
        help_text="What might get in the way",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = GovukDateField(label="Target date (optional)", required=False, help_text=DATE_HINT)

    def clean_due_on(self) -> date | None:
        due = self.cleaned_data["due_on"]
        if due and due < date.today():
            raise forms.ValidationError("The target date must be today or in the future")
        return due

    def goal_data(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in ("pathway", "title", "in_own_words", "barriers", "due_on")
        }


class ProgressForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    note = forms.CharField(
        label="What has happened?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The update must be 2000 characters or fewer"},
    )
    on = GovukDateField(label="Date of the update", help_text=DATE_HINT)


class StepForm(GovukForm):
    text = forms.CharField(
        label="Step",
        max_length=300,
        help_text="One thing to do, for example “Ask the council for a housing assessment”",
        error_messages={
            "required": "Enter the step",
            "max_length": "The step must be 300 characters or fewer",
        },
    )
    owner_kind = forms.ChoiceField(
        label="Who will do it?",
        choices=StepOwner.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who will do it"},
    )
    owner_organisation = forms.ModelChoiceField(
        label="Partner organisation (if a partner will do it)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Select a partner organisation"},
    )
    owner_name = forms.CharField(
        label="Name (optional)",
        required=False,
        max_length=200,
        help_text="Who exactly, for example the name of the worker or an organisation not listed",
    )
    due_on = GovukDateField(label="Due date (optional)", required=False, help_text=DATE_HINT)

    class Layout:
        title = "Add a step"
        button = "Add step"
        secondary_button = ("another", "Add and add another")

    def __init__(self, *args: Any, organisations, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["owner_organisation"]
        ).queryset = organisations.order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("owner_kind") == StepOwner.PARTNER
            and not data.get("owner_organisation")
            and not data.get("owner_name")
        ):
            self.add_error("owner_organisation", "Select the partner organisation, or name it")
        return data

    def step_data(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in ("text", "owner_kind", "owner_name", "due_on")}
        partner = self.cleaned_data["owner_kind"] == StepOwner.PARTNER
        data["owner_organisation"] = self.cleaned_data["owner_organisation"] if partner else None
        return data


class ReviewForm(_WithCase):
    reviewed_on = GovukDateField(label="Date of the review", help_text=DATE_HINT)
    summary = forms.CharField(
        label="What was agreed?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what was agreed at the review",
            "max_length": "The summary must be 4000 characters or fewer",
        },
    )
    next_review_on = GovukDateField(
        label="Next review (optional)", required=False, help_text=DATE_HINT
    )
