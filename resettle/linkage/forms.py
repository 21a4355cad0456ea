from datetime import date, timedelta

from django import forms

from resettle.linkage.models import Decision
from resettle.web.forms import GovukForm

PERIODS = {"3": "Last 3 months", "6": "Last 6 months", "12": "Last 12 months"}


class DecisionForm(GovukForm):
    class Layout:
        title = "Are these the same person?"
        button = "Save decision"

    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose same person, different people or not sure"},
    )


class PeriodForm(GovukForm):
    class Layout:
        title = "Period"
        button = "Show"

    months = forms.ChoiceField(
        label="Supported in",
        choices=list(PERIODS.items()),
        initial="3",
        required=False,
        widget=forms.RadioSelect,
    )

    def period(self) -> tuple[date, date]:
        months = "3"
        if self.is_bound and self.is_valid():
            months = self.cleaned_data.get("months") or "3"
        end = date.today()
        return end - timedelta(days=int(months) * 30), end
