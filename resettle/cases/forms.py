"""Forms for the case pages. They check what was typed; the services decide what may be saved."""

from datetime import date, time
from typing import Any, cast

from django import forms

from resettle.accounts.models import User
from resettle.cases.models import Case, CloseReason
from resettle.cases.services import allocatable_mentors, allocatable_workers
from resettle.custody.forms import TimeField
from resettle.web.forms import GovukDateField, GovukForm

EXAMPLE_DATE = "For example, 27 3 2025"


def offer_cases(form: forms.Form, cases: list[Case]) -> Case | None:
    """Limit the form's `case` field to `cases`. With one there is nothing to ask: it rides
    along hidden and is assumed if missing; that case is returned."""
    field = cast(forms.ModelChoiceField, form.fields["case"])
    field.queryset = Case.objects.filter(pk__in=[c.pk for c in cases]).select_related(
        "organisation"
    )
    if len(cases) != 1:
        return None
    field.widget = forms.HiddenInput()
    field.required = False
    return cases[0]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name() or user.get_username()


class _Allocation(GovukForm):
    worker = UserChoiceField(queryset=User.objects.none(), required=False, label="Worker")
    mentor = UserChoiceField(queryset=User.objects.none(), required=False, label="Peer mentor")
    next_review_on = GovukDateField(
        label="Next review date", required=False, help_text=EXAMPLE_DATE
    )

    def __init__(self, *args: Any, organisation_id, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workers = [u.pk for u in allocatable_workers(organisation_id)]
        mentors = [u.pk for u in allocatable_mentors(organisation_id)]
        by_name = ("first_name", "last_name", "username")
        worker = cast(forms.ModelChoiceField, self.fields["worker"])
        worker.queryset = User.objects.filter(pk__in=workers).order_by(*by_name)
        worker.empty_label = "Not allocated"
        if mentors:
            mentor = cast(forms.ModelChoiceField, self.fields["mentor"])
            mentor.queryset = User.objects.filter(pk__in=mentors).order_by(*by_name)
            mentor.empty_label = "No mentor"
        else:
            del self.fields["mentor"]


class CaseOpenForm(_Allocation):
    opened_on = GovukDateField(
        label="Date the case opened",
        help_text=EXAMPLE_DATE,
        error_messages={"required": "Enter the date the case opened"},
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["opened_on", "worker", "mentor", "next_review_on", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = date.today()


class CaseEditForm(_Allocation):
    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class PauseForm(GovukForm):
    on = GovukDateField(
        label="Date paused", help_text=EXAMPLE_DATE, error_messages={"required": "Enter the date"}
    )
    reason = forms.CharField(
        label="Why is the case paused?",
        max_length=200,
        help_text="Do not describe offences. For example, in hospital",
        error_messages={"required": "Enter why the case is paused"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = date.today()


class ResumeForm(GovukForm):
    on = GovukDateField(
        label="Date resumed", help_text=EXAMPLE_DATE, error_messages={"required": "Enter the date"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = date.today()


class CloseForm(GovukForm):
    closed_on = GovukDateField(
        label="Date closed",
        help_text=EXAMPLE_DATE,
        error_messages={"required": "Enter the date the case closed"},
    )
    close_reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the case is closing"},
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = date.today()


class ReopenForm(GovukForm):
    on = GovukDateField(
        label="Date reopened",
        help_text=EXAMPLE_DATE,
        error_messages={"required": "Enter the date"},
    )
    note = forms.CharField(
        label="Why is it reopening?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = date.today()


class GateMeetingForm(GovukForm):
    on = GovukDateField(
        label="Date of the gate meeting",
        help_text="Usually the release date. " + EXAMPLE_DATE,
        error_messages={"required": "Enter the date of the gate meeting"},
    )
    at = TimeField(
        label="Time",
        help_text="For example, 08:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time of the gate meeting"},
    )
    place = forms.CharField(
        label="Where to meet",
        max_length=200,
        error_messages={"required": "Enter where to meet"},
    )

    def __init__(self, *args: Any, on: date | None, place: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = on
        self.fields["at"].initial = time(8, 0)
        self.fields["place"].initial = place
