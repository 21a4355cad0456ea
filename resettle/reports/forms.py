"""The report picker: whose figures, and a quarter or a range of dates."""

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from resettle.core.pathways import Pathway
from resettle.directory.models import Service
from resettle.registers.models import Programme
from resettle.reports.figures import Scope
from resettle.reports.parameters import filtered, period_of
from resettle.reports.periods import Period, quarter_of, quarter_period, recent_quarters
from resettle.web.forms import GovukDateField, GovukForm


def scope_key(scope: Scope) -> str:
    return f"{scope.kind}:{scope.id}"


def _offer_quarters(form: forms.Form, today: date) -> None:
    """The recent quarters to choose from, and any other well-formed one asked for."""
    offered = [(q, quarter_period(q, today=today).label) for q in recent_quarters(today=today)]
    asked = form.data.get("quarter") if form.is_bound else None
    if asked and asked not in dict(offered):
        offered.append((asked, asked))
    cast(forms.Select, form.fields["quarter"].widget).choices = offered
    form.fields["quarter"].initial = quarter_of(today)


def _clean_period(form: forms.Form, data: dict[str, Any], today: date) -> None:
    """The period the quarter or dates give, in `data["period"]`; problems beside their fields."""
    try:
        data["period"] = period_of(
            quarter=data.get("quarter"),
            start=data.get("start"),
            end=data.get("end"),
            today=today,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field, message)


class ReportForm(GovukForm):
    scope = forms.ChoiceField(label="Whose figures", required=False)
    # Any well-formed quarter is accepted (an API client or bookmark may ask for an older one);
    # the list offers the recent ones.
    quarter = forms.CharField(
        label="Quarter of the financial year", required=False, widget=forms.Select
    )
    start = GovukDateField(label="From", required=False, help_text="For example, 1 4 2026")
    end = GovukDateField(label="To", required=False, help_text="For example, 30 6 2026")
    service = forms.CharField(label="Service", required=False, widget=forms.Select)
    programme = forms.CharField(label="Programme", required=False, widget=forms.Select)
    pathway = forms.ChoiceField(
        label="Pathway", required=False, choices=[("", "All pathways"), *Pathway.choices]
    )

    def __init__(
        self,
        *args: Any,
        scopes: list[Scope],
        today: date,
        filterable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.filterable = filterable
        if filterable:
            organisations = {pk for s in scopes for pk in s.organisation_ids}
            cast(forms.Select, self.fields["service"].widget).choices = [
                ("", "All services"),
                *(
                    (str(pk), f"{organisation}: {name}")
                    for pk, name, organisation in Service.objects.filter(
                        organisation_id__in=organisations
                    )
                    .order_by("organisation__name", "name")
                    .values_list("pk", "name", "organisation__name")
                ),
            ]
            cast(forms.Select, self.fields["programme"].widget).choices = [
                ("", "All programmes"),
                *(
                    (str(pk), f"{service}: {name}")
                    for pk, name, service in Programme.objects.filter(
                        service__organisation_id__in=organisations
                    )
                    .order_by("service__organisation__name", "service__name", "name")
                    .values_list("pk", "name", "service__name")
                ),
            ]
        self.scopes = {scope_key(s): s for s in scopes}
        self.today = today
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            (key, f"{s.name} (the partnership)" if s.kind == "partnership" else s.name)
            for key, s in self.scopes.items()
        ]
        _offer_quarters(self, today)

    def clean_scope(self) -> str:
        key = self.cleaned_data.get("scope") or next(iter(self.scopes), "")
        if key not in self.scopes:
            raise ValidationError("Choose whose figures from the list")
        return key

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _clean_period(self, data, self.today)
        scope = self.scopes.get(data.get("scope", ""))
        if scope is not None:
            try:
                data["report_scope"] = filtered(
                    scope=scope,
                    service=data.get("service"),
                    pathway=data.get("pathway"),
                    programme=data.get("programme"),
                    filterable=self.filterable,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data

    def parameters(self) -> tuple[Scope, Period] | None:
        """The scope and period asked for, the defaults when nothing is asked, None if invalid."""
        if not self.is_bound:
            return next(iter(self.scopes.values())), quarter_period(
                quarter_of(self.today), today=self.today
            )
        if not self.is_valid():
            return None
        return self.cleaned_data["report_scope"], self.cleaned_data["period"]


class PeriodForm(GovukForm):
    """The period of a list of the records behind a report: a quarter or a range of dates, as
    the report's own form takes them, so a link from the report lists what it counted."""

    quarter = forms.CharField(
        label="Quarter of the financial year", required=False, widget=forms.Select
    )
    start = GovukDateField(label="From", required=False, help_text="For example, 1 4 2026")
    end = GovukDateField(label="To", required=False, help_text="For example, 30 6 2026")

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        _offer_quarters(self, today)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _clean_period(self, data, self.today)
        return data

    def period(self) -> Period | None:
        """The period asked for, this quarter to date when none is, None if invalid."""
        if not self.is_bound:
            return quarter_period(quarter_of(self.today), today=self.today)
        if not self.is_valid():
            return None
        return self.cleaned_data["period"]


def period_query(period: Period) -> dict[str, str]:
    """The query string that asks a PeriodForm (or the report's form) for `period`."""
    if period.quarter:
        return {"quarter": period.quarter}
    return {
        f"{name}_{part}": str(getattr(day, part))
        for name, day in (("start", period.start), ("end", period.end))
        for part in ("day", "month", "year")
    }
