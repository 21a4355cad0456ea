"""Forms for the custody pages. They check what was typed; the services decide what may be saved
(dates against each other and the person's other periods, release against recall)."""

from datetime import date, time
from typing import Any, cast

from django import forms

from resettle.core.pathways import Pathway
from resettle.custody.models import (
    ChecklistStatus,
    CustodyKind,
    CustodyPeriod,
    RecallReason,
    ReleaseType,
)
from resettle.custody.services import RELEASE_TYPES
from resettle.web.forms import GovukDateField, GovukForm, GovukModelForm, choices_of

EXAMPLE_DATE = "For example, 27 3 2025"


class CustodyPeriodForm(GovukModelForm):
    class Meta:
        model = CustodyPeriod
        fields = [
            "kind",
            "start_date",
            "establishment",
            "expected_release_date",
            "conditional_release_date",
            "licence_end_date",
            "supervision_end_date",
            "licence_conditions",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "licence_conditions": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "kind": "Type of custody",
            "start_date": "Start date",
            "establishment": "Prison",
            "expected_release_date": "Expected release date",
            "conditional_release_date": "Conditional or automatic release date",
            "licence_end_date": "Licence end date",
            "supervision_end_date": "Post-sentence supervision end date",
        }
        help_texts = {
            "start_date": "The first day in custody. " + EXAMPLE_DATE,
            "establishment": "For example, HMP Northshire",
            "expected_release_date": "Release planning starts 12 weeks before. " + EXAMPLE_DATE,
            "conditional_release_date": "Leave blank for remand. " + EXAMPLE_DATE,
            "licence_end_date": "Leave blank for remand. " + EXAMPLE_DATE,
            "supervision_end_date": "Only if post-sentence supervision applies",
            "licence_conditions": "Only partners who see risk and suitability can read them",
        }

    def __init__(self, *args: Any, with_licence_conditions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_licence_conditions:
            del self.fields["licence_conditions"]
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [c for c in choices_of(kind) if c[0] != ""]
        kind.error_messages["required"] = "Select the type of custody"
        self.fields["establishment"].error_messages["required"] = "Enter the prison"
        self.fields["start_date"].error_messages["required"] = "Enter the start date"

    def period_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class TimeField(forms.Field):
    """A time as 24-hour hours and minutes, "08:00"; GOV.UK has no time component."""

    def to_python(self, value: Any) -> time | None:
        text = str(value or "").strip().replace(".", ":")
        if not text:
            return None
        try:
            hours, minutes = (int(part) for part in text.split(":"))
            return time(hours, minutes)
        except ValueError as exc:
            raise forms.ValidationError(
                "Enter the time of the gate meeting as hours and minutes, like 08:00"
            ) from exc

    def prepare_value(self, value: Any) -> str:
        return value.strftime("%H:%M") if isinstance(value, time) else (value or "")


class ReleaseForm(GovukForm):
    released_on = GovukDateField(
        label="Release date",
        help_text=EXAMPLE_DATE,
        error_messages={"required": "Enter the release date"},
    )
    release_type = forms.ChoiceField(
        label="Type of release",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of release"},
    )
    no_fixed_abode = forms.BooleanField(
        label="No fixed abode on release",
        required=False,
        help_text="Select this if they have nowhere to live on release",
    )
    release_address = forms.CharField(
        label="Address on release",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave blank if no fixed abode",
    )
    licence_end_date = GovukDateField(
        label="Licence end date", required=False, help_text="If it has changed. " + EXAMPLE_DATE
    )
    licence_conditions = forms.CharField(
        label="Licence conditions",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only partners who see risk and suitability can read them",
    )
    gate_meeting_time = TimeField(
        label="Time of the gate meeting",
        required=False,
        help_text="Each organisation with a live case gets a gate-meeting task. For example, 08:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    gate_meeting_place = forms.CharField(label="Where to meet", required=False, max_length=200)

    def __init__(
        self, *args: Any, period: CustodyPeriod, with_licence_conditions: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = RELEASE_TYPES[period.kind]
        cast(forms.ChoiceField, self.fields["release_type"]).choices = [
            c for c in ReleaseType.choices if c[0] in allowed
        ]
        self.fields["released_on"].initial = date.today()
        self.fields["gate_meeting_time"].initial = time(8, 0)
        self.fields["gate_meeting_place"].initial = f"Gate of {period.establishment}"
        if period.kind == CustodyKind.REMAND:
            del self.fields["licence_end_date"]
        if not with_licence_conditions or period.kind == CustodyKind.REMAND:
            del self.fields["licence_conditions"]
        elif not self.is_bound:
            self.fields["licence_conditions"].initial = period.licence_conditions

    def release_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("licence_conditions", None)
        data.setdefault("licence_end_date", None)
        return data


class RecallForm(GovukForm):
    recalled_on = GovukDateField(
        label="Date of recall",
        help_text="The day they returned to custody. " + EXAMPLE_DATE,
        error_messages={"required": "Enter the date of the recall"},
    )
    recall_reason = forms.ChoiceField(
        label="Reason for the recall",
        choices=RecallReason.choices,
        widget=forms.RadioSelect,
        help_text="Partners outside probation and prison never see the reason",
        error_messages={"required": "Select the reason for the recall"},
    )


class ChecklistItemForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ChecklistStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="For example, birth certificate applied for on 3 March",
    )


PATHWAY_CHOICES = [("", "All pathways"), *Pathway.choices]
SORTS = ("release", "-release", "name", "-name")


class WorklistFilterForm(GovukForm):
    establishment = forms.ChoiceField(label="Prison", required=False)
    due_from = GovukDateField(label="Due from", required=False, help_text=EXAMPLE_DATE)
    due_to = GovukDateField(label="Due by", required=False, help_text=EXAMPLE_DATE)
    pathway = forms.ChoiceField(
        label="Still to arrange on",
        required=False,
        choices=PATHWAY_CHOICES,
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for s in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, establishments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["establishment"]).choices = [("", "All prisons")] + [
            (e, e) for e in establishments
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", "Due by must be the same as or after due from")
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {
                "establishment": "",
                "due_from": None,
                "due_to": None,
                "pathway": "",
                "ordering": "release",
            }
        data = self.cleaned_data
        return {
            "establishment": data.get("establishment") or "",
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
            "pathway": data.get("pathway") or "",
            "ordering": data.get("sort") or "release",
        }
