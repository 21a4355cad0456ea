"""Forms for outcomes: an assessment on one page (the worker's), one question a screen (the
person's own, on the worker's device), what came of each goal at the end of support, and a
service's schedule. They check what was typed; the services decide what may be saved."""

from datetime import date
from typing import Any

from django import forms

from resettle.cases.models import Case
from resettle.directory.models import Service
from resettle.outcomes.definitions import MISSING, NO_ANSWER, REFUSED, Definition, Question
from resettle.outcomes.models import (
    FOLLOW_UP_MONTHS,
    AnsweredBy,
    EndingReason,
    GoalRating,
    Instrument,
    Timepoint,
)
from resettle.plans.models import Goal
from resettle.web.forms import GovukDateField, GovukForm

EXAMPLE_DATE = "For example, 27 3 2026"
# A number scale with this many points or fewer is asked as radios; a longer one as a box.
RADIO_POINTS = 11


def field_name(question: Question) -> str:
    return "q_" + question.code.replace(".", "__")


def _point_label(question: Question, value: int) -> str:
    label = question.labels.get(value)
    return f"{value}: {label}" if label else str(value)


def question_field(question: Question, *, for_person: bool = False) -> forms.Field:
    """The form field that asks one question, with "missing" and "refused" as answers of their own
    where the scale is a list; a number box takes "refused" typed, and blank is missing.
    `for_person`: worded for the person answering themselves."""
    if for_person:
        no_answer = [(MISSING, "Skip this question"), (REFUSED, "I'd rather not say")]
        blank = f"Leave it blank to skip it, or type “{REFUSED}” if you would rather not say."
    else:
        no_answer = [(MISSING, "Not answered"), (REFUSED, "Prefers not to say")]
        blank = f"Leave it blank if not answered, or type “{REFUSED}” if they prefer not to say."
    if question.kind == "integer" and question.high is not None and question.low is not None:
        if question.high - question.low + 1 <= RADIO_POINTS:
            points = [
                (str(v), _point_label(question, v)) for v in range(question.low, question.high + 1)
            ]
            return forms.ChoiceField(
                label=question.text,
                choices=points + no_answer,
                widget=forms.RadioSelect,
                required=False,
            )
        unit = f" {question.unit}" if question.unit else ""
        return forms.CharField(
            label=question.text,
            required=False,
            max_length=10,
            help_text=f"A whole number from {question.low} to {question.high}{unit}. {blank}",
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        )
    if question.kind == "choice":
        return forms.ChoiceField(
            label=question.text,
            choices=list(question.options) + no_answer,
            widget=forms.RadioSelect,
            required=False,
        )
    return forms.CharField(
        label=question.text,
        required=False,
        max_length=question.max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def answers_from(definition: Definition, data: dict[str, Any]) -> dict[str, Any]:
    """The form's answers keyed by question: blank is missing on a required question, and left
    out on an optional one."""
    answers: dict[str, Any] = {}
    for question in definition.questions:
        value = data.get(field_name(question))
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if not question.optional:
                answers[question.code] = MISSING
            continue
        if value == REFUSED or value in NO_ANSWER:
            answers[question.code] = value
        elif question.kind == "integer":
            text = str(value)
            answers[question.code] = int(text) if text.lstrip("-").isdigit() else text
        else:
            answers[question.code] = value
    return answers


class _CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, case: Case) -> str:
        state = f", closed {case.closed_on:%-d %B %Y}" if case.closed_on else ""
        return f"{case.organisation.name}, opened {case.opened_on:%-d %B %Y}{state}"


class _InstrumentChoice(forms.ModelChoiceField):
    def label_from_instance(self, instrument: Instrument) -> str:
        return instrument.name


class ChooseInstrumentForm(GovukForm):
    instrument = _InstrumentChoice(
        queryset=Instrument.objects.none(),
        label="Which questionnaire?",
        widget=forms.RadioSelect,
        empty_label=None,
        to_field_name="code",
        error_messages={"required": "Select a questionnaire"},
    )

    class Layout:
        title = "Record outcomes"
        button = "Continue"

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Instrument.objects.filter(pk__in=[i.pk for i in instruments]).order_by(
            "name"
        )


class _Setting(GovukForm):
    """When and for which case: asked before the questions."""

    timepoint = forms.ChoiceField(
        label="Time point",
        choices=Timepoint.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the time point"},
    )

    def __init__(self, *args: Any, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"] = _CaseChoice(
            queryset=Case.objects.filter(pk__in=[c.pk for c in cases]).select_related(
                "organisation"
            ),
            label="Which case is this for?",
            widget=forms.RadioSelect if len(cases) > 1 else forms.HiddenInput,
            initial=cases[0].pk if cases else None,
            empty_label=None,
            required=len(cases) > 1,
            error_messages={"required": "Select the case", "invalid_choice": "Select the case"},
        )
        self.only_case = cases[0] if len(cases) == 1 else None
        self.order_fields(["case", "timepoint"])

    def clean_case(self) -> Case | None:
        return self.cleaned_data.get("case") or self.only_case


class AssessmentForm(_Setting):
    """The whole instrument on one page, for the worker."""

    completed_on = GovukDateField(
        label="Date completed",
        help_text=EXAMPLE_DATE,
        error_messages={"required": "Enter the date it was completed"},
    )
    answered_by = forms.ChoiceField(
        label="Who answered?",
        choices=AnsweredBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who answered"},
    )

    class Layout:
        button = "Save answers"

    def __init__(self, *args: Any, definition: Definition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fields["completed_on"].initial = date.today()
        self.layout.title = definition.name
        for question in definition.questions:
            self.fields[field_name(question)] = question_field(question)

    @property
    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("case", "timepoint", "completed_on", "answered_by")]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[field_name(q)] for q in self.definition.questions]

    def answers(self) -> dict[str, Any]:
        return answers_from(self.definition, self.cleaned_data)


class SelfStartForm(_Setting):
    """The worker sets up a self-completion, then hands the device over."""

    class Layout:
        button = "Start the questions"


class EndOfSupportForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why did support end?",
        choices=EndingReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why support ended"},
    )
    in_own_words = forms.CharField(
        label="What helped, in the person's own words (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only if they want to say. Write down what they say, as they say it.",
    )

    class Layout:
        title = "Outcomes at the end of support"
        button = "Save outcomes"

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"{goal.title} ({goal.get_pathway_display()})",
                choices=GoalRating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Rate the goal “{goal.title}”"},
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=f"Note on “{goal.title}” (optional)", required=False, max_length=500
            )
        self.order_fields([*(f for g in goals for f in (f"goal_{g.pk}", f"note_{g.pk}")), "reason"])

    def ratings(self) -> dict[Any, tuple[str, str]]:
        data = self.cleaned_data
        return {g.pk: (data[f"goal_{g.pk}"], data.get(f"note_{g.pk}", "")) for g in self.goals}


class ScheduleForm(GovukForm):
    instrument_codes = forms.MultipleChoiceField(
        label="Questionnaires asked",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire"},
    )
    review_every_weeks = forms.IntegerField(
        label="Review every (weeks)",
        required=False,
        min_value=1,
        max_value=104,
        help_text="Leave blank for no reviews between baseline and exit",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    at_exit = forms.BooleanField(label="Ask again at exit", required=False)
    follow_up_months = forms.TypedMultipleChoiceField(
        label="Follow-ups after support ends",
        coerce=int,
        required=False,
        choices=[(m, f"{m} months") for m in FOLLOW_UP_MONTHS.values()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Layout:
        button = "Save schedule"

    def __init__(
        self, *args: Any, instruments: list[Instrument], service: Service | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument_codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.code, i.name) for i in instruments]
        self.layout.title = f"Outcome schedule: {service.name if service else 'all other work'}"


def self_questions(definition: Definition) -> list[Question]:
    """The questions a person answers themselves, in order."""
    return [q for q in definition.questions if q.rater == "person"]


class SelfQuestionForm(GovukForm):
    """One question of a self-completion, large and plain; the answers so far ride along as
    hidden fields, so nothing is saved until the last question is answered."""

    instrument = forms.CharField(widget=forms.HiddenInput)
    case = forms.CharField(widget=forms.HiddenInput, required=False)
    timepoint = forms.CharField(widget=forms.HiddenInput)
    step = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Layout:
        button = "Next"
        secondary_button = ("back", "Previous question")

    def __init__(self, *args: Any, definition: Definition, step: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.position = step
        # The worker's view beside a question is the worker's to give, not the person's.
        self.questions = self_questions(definition)
        self.question = self.questions[step]
        for question in definition.questions:
            name = field_name(question)
            if question is self.question:
                field = question_field(question, for_person=True)
                field.required = not question.optional
                field.error_messages["required"] = (
                    "Choose an answer, or “I'd rather not say”, or “Skip this question”"
                )
                self.fields[name] = field
            else:
                self.fields[name] = forms.CharField(required=False, widget=forms.HiddenInput)
        if step == 0:
            self.layout.secondary_button = None
        if step == len(self.questions) - 1:
            self.layout.button = "Finish and save"

    @property
    def current(self) -> forms.BoundField:
        return self[field_name(self.question)]

    def answers(self) -> dict[str, Any]:
        return answers_from(self.definition, self.cleaned_data)
