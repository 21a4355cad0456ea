from typing import Any, cast

from django import forms

from resettle.access.models import MIN_REASON_LENGTH
from resettle.access.selectors import DEFAULT_REPORT_ORDERING, REPORT_ORDERINGS
from resettle.access.services import BREAK_GLASS_HOURS
from resettle.accounts.models import Organisation
from resettle.web.forms import GovukDateField, GovukForm

# The organisation filter's "every organisation" choice.
ALL = "all"
HOURS_LABELS = {1: "1 hour", 4: "4 hours", 24: "24 hours", 72: "72 hours (the most allowed)"}


class BreakGlassForm(GovukForm):
    class Layout:
        title = "Break glass"
        button = "Break glass and open the record"
        button_style = "warning"

    category = forms.ChoiceField(
        label="What do you need to see?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you need to see"},
    )
    reason = forms.CharField(
        label="Why do you need to see it now?",
        help_text=(
            f"At least {MIN_REASON_LENGTH} characters. Say what the safeguarding concern is and "
            "why it cannot wait. The organisations that hold this information, and the "
            "partnership's break-glass report, will show this reason."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={"required": "Explain why you need to see it"},
    )
    hours = forms.TypedChoiceField(
        label="How long do you need it for?",
        help_text="Access ends by itself after this time. You can end it sooner.",
        choices=[(hours, HOURS_LABELS[hours]) for hours in BREAK_GLASS_HOURS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long you need access for"},
    )

    def __init__(self, *args: Any, categories: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (c.value, c.label) for c in categories
        ]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < MIN_REASON_LENGTH:
            raise forms.ValidationError(f"Explain why, in at least {MIN_REASON_LENGTH} characters")
        return reason


class BreakGlassReportFilterForm(GovukForm):
    organisation = forms.ChoiceField(label="Organisation", required=False, initial=ALL)
    opened_from = GovukDateField(
        label="Opened from", required=False, help_text="For example, 1 4 2025"
    )
    opened_to = GovukDateField(
        label="Opened to", required=False, help_text="For example, 30 6 2025"
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A real value rather than "", so that, shown as radios, "all" can be chosen again.
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            (ALL, "All organisations")
        ] + [(str(o.pk), o.name) for o in organisations]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and end < start:
            self.add_error("opened_to", "Opened to must be the same as or after opened from")
        sort = data.get("sort") or DEFAULT_REPORT_ORDERING
        data["sort"] = (
            sort if sort.removeprefix("-") in REPORT_ORDERINGS else DEFAULT_REPORT_ORDERING
        )
        return data

    def filters(self) -> dict[str, Any]:
        """The report's filters; with errors, the unfiltered report in its default order."""
        if not self.is_bound or not self.is_valid():
            sort = DEFAULT_REPORT_ORDERING
            raw = self.data.get("sort", "") if self.is_bound else ""
            if raw.removeprefix("-") in REPORT_ORDERINGS:
                sort = raw
            return {
                "organisation_id": None,
                "opened_from": None,
                "opened_to": None,
                "ordering": sort,
            }
        return {
            "organisation_id": None
            if self.cleaned_data["organisation"] in {"", ALL}
            else self.cleaned_data["organisation"],
            "opened_from": self.cleaned_data["opened_from"],
            "opened_to": self.cleaned_data["opened_to"],
            "ordering": self.cleaned_data["sort"],
        }
