"""The filters of the today and caseload pages."""

from django import forms

from resettle.web.forms import GovukForm

CASELOAD_SORTS = ("name", "state", "last_contact", "next_review", "release")


class NoContactForm(GovukForm):
    days = forms.IntegerField(
        label="Days without contact",
        min_value=1,
        max_value=365,
        required=False,
        help_text="Show people not seen for at least this many days, for example 28",
        error_messages={
            "invalid": "Days must be a whole number, like 14",
            "min_value": "Days must be 1 or more",
            "max_value": "Days must be 365 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )


class CaseloadForm(GovukForm):
    q = forms.CharField(label="Name", required=False, max_length=100)
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("all", "Open and paused"), ("open", "Open"), ("paused", "Paused (recalled)")],
        widget=forms.RadioSelect,
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        sort = data.get("sort") or "name"
        if sort.removeprefix("-") not in CASELOAD_SORTS:
            sort = "name"
        return {
            "query": (data.get("q") or "").strip(),
            "state": "" if data.get("state") in (None, "", "all") else data["state"],
            "ordering": sort,
        }
