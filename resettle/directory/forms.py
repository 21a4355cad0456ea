"""Forms for the directory pages. They check what was typed; the services decide what may be
saved (the rules that need the model, such as ages in order and a release window for pre-release
services, live in `Service.clean()`)."""

from typing import Any, cast

from django import forms

from resettle.core.pathways import Pathway
from resettle.directory.models import (
    Access,
    CustodyEligibility,
    EligibleGender,
    Location,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)
from resettle.directory.selectors import SORTS, ServiceFilters
from resettle.directory.services import LOCATION_FIELDS, SERVICE_FIELDS
from resettle.web.forms import GovukDateField, GovukForm, GovukModelForm

WEEKDAYS = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]


def _age_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": f"{label} must be a whole number, like 18",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 120 or less",
        },
    )


class ServiceFilterForm(GovukForm):
    q = forms.CharField(
        label="Search services",
        required=False,
        max_length=100,
        help_text="Name or description, for example football or housing advice",
    )
    pathway = forms.ChoiceField(
        label="Pathway", required=False, choices=[("", "Any pathway"), *Pathway.choices]
    )
    access = forms.ChoiceField(
        label="How to get in",
        required=False,
        choices=[
            ("", "Any"),
            (Access.OPEN, "Open to all"),
            (Access.REFERRAL_ONLY, "By referral"),
        ],
    )
    organisation = forms.ChoiceField(label="Organisation", required=False)
    district = forms.CharField(
        label="Area (postcode district)",
        required=False,
        max_length=4,
        help_text="For example, NS1",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            (ServiceStatus.ACTIVE, "Active"),
            (ServiceStatus.INACTIVE, "Inactive"),
            ("all", "All"),
        ],
    )
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput
    )
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", "Any organisation"),
            *((str(o.pk), o.name) for o in organisations),
        ]

    def clean_district(self) -> str:
        return self.cleaned_data["district"].replace(" ", "").upper()

    def filters(self) -> ServiceFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or ServiceStatus.ACTIVE
        return ServiceFilters(
            query=(data.get("q") or "").strip(),
            pathway=data.get("pathway") or "",
            access=data.get("access") or "",
            organisation=data.get("organisation") or "",
            district=data.get("district") or "",
            status="" if status == "all" else status,
            ordering=data.get("sort") or "name",
        )


class PublicFilterForm(ServiceFilterForm):
    """The public directory: no status or person (it lists active open services only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("status", "person", "access"):
            del self.fields[name]


class ServiceForm(GovukForm):
    name = forms.CharField(
        label="Service name",
        max_length=200,
        error_messages={
            "required": "Enter the service name",
            "max_length": "Service name must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Description",
        max_length=4000,
        help_text="What happens, in plain words: what someone will do and get",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a description of the service",
            "max_length": "Description must be 4000 characters or fewer",
        },
    )
    who_it_is_for = forms.CharField(
        label="Who it is for (optional)",
        required=False,
        max_length=1000,
        help_text="For example, men aged 18 to 30 released to Millbrook",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Who it is for must be 1000 characters or fewer"},
    )
    access = forms.ChoiceField(
        label="How do people get in?",
        choices=Access.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the service is open to all or by referral"},
    )
    pathways = forms.MultipleChoiceField(
        label="Which pathways does it support?",
        help_text="Select all that apply",
        choices=Pathway.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pathway the service supports"},
    )
    minimum_age = _age_field("Minimum age (optional)")
    maximum_age = _age_field("Maximum age (optional)")
    eligible_gender = forms.ChoiceField(
        label="Who can attend?",
        choices=EligibleGender.choices,
        initial=EligibleGender.ANY,
        widget=forms.RadioSelect,
    )
    postcode_districts = forms.CharField(
        label="Postcode districts served (optional)",
        required=False,
        max_length=500,
        help_text="Separate with commas, for example NS1, NS2. Leave blank for anywhere.",
    )
    custody_status = forms.ChoiceField(
        label="Where must the person be in their journey?",
        choices=CustodyEligibility.choices,
        initial=CustodyEligibility.ANY,
        widget=forms.RadioSelect,
    )
    release_window_weeks = forms.IntegerField(
        label="Weeks before release (pre-release services)",
        required=False,
        min_value=1,
        max_value=104,
        help_text="For example, 12: the service starts 12 weeks before the release date",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": "Weeks before release must be a whole number, like 12",
            "min_value": "Weeks before release must be 1 or more",
            "max_value": "Weeks before release must be 104 or fewer",
        },
    )
    cost = forms.CharField(
        label="Cost (optional)",
        required=False,
        max_length=200,
        help_text="Leave blank if it is free",
    )
    capacity = forms.IntegerField(
        label="Capacity (optional)",
        required=False,
        min_value=1,
        help_text="How many people it supports at once. Leave blank for no limit.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "invalid": "Capacity must be a whole number, like 20",
            "min_value": "Capacity must be 1 or more",
        },
    )
    has_waiting_list = forms.TypedChoiceField(
        label="When it is full, does it keep a waiting list?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(label="Contact name (optional)", required=False, max_length=200)
    email = forms.EmailField(
        label="Contact email (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    phone = forms.CharField(label="Contact phone (optional)", required=False, max_length=30)
    url = forms.URLField(
        label="Web page (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://example.org/service"},
    )
    locations = forms.MultipleChoiceField(
        label="Where is it delivered? (optional)",
        required=False,
        help_text="Your organisation's locations. Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose locations from the list"},
    )
    taxonomy_terms = forms.MultipleChoiceField(
        label="Other taxonomy terms (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose terms from the list"},
    )

    def __init__(
        self,
        *args: Any,
        locations: list[Location],
        terms: list[TaxonomyTerm],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["locations"]).choices = [
            (str(loc.pk), str(loc)) for loc in locations
        ]
        if not locations:
            del self.fields["locations"]
        cast(forms.ChoiceField, self.fields["taxonomy_terms"]).choices = [
            (str(t.pk), f"{t.name} ({t.taxonomy.name})") for t in terms
        ]
        if not terms:
            del self.fields["taxonomy_terms"]

    def clean_postcode_districts(self) -> list[str]:
        text = self.cleaned_data["postcode_districts"]
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "Maximum age must be the same as or more than the minimum age"
            )
        return data

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}

    def location_ids(self) -> list[str]:
        return self.cleaned_data.get("locations", [])

    def term_ids(self) -> list[str]:
        return self.cleaned_data.get("taxonomy_terms", [])


def service_initial(service: Service) -> dict[str, Any]:
    initial = {name: getattr(service, name) for name in SERVICE_FIELDS}
    initial["postcode_districts"] = ", ".join(service.postcode_districts or [])
    initial["has_waiting_list"] = "yes" if service.has_waiting_list else "no"
    initial["locations"] = [str(pk) for pk in service.locations.values_list("pk", flat=True)]
    initial["taxonomy_terms"] = [
        str(pk) for pk in service.taxonomy_terms.values_list("pk", flat=True)
    ]
    return initial


class LocationForm(GovukModelForm):
    class Meta:
        model = Location
        fields = LOCATION_FIELDS
        labels = {
            "name": "Location name",
            "address_line_1": "Address line 1 (optional)",
            "town": "Town (optional)",
            "county": "County (optional)",
            "postcode": "Postcode (optional)",
            "accessibility": "Accessibility (optional)",
            "transport": "Getting there (optional)",
        }
        help_texts = {
            "accessibility": "For example, step-free entrance, accessible toilet, hearing loop",
            "transport": "Buses, trains and parking nearby",
            "county": "Or the unitary authority. Open Referral UK directories list an address "
            "only with its county",
        }
        widgets = {
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "transport": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"name": {"required": "Enter the location name"}}


class ScheduleForm(GovukForm):
    location = forms.ChoiceField(label="Where (optional)", required=False)
    days = forms.MultipleChoiceField(
        label="Which days?",
        required=False,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    interval = forms.TypedChoiceField(
        label="How often?",
        choices=[("1", "Every week"), ("2", "Every 2 weeks"), ("4", "Every 4 weeks")],
        coerce=int,
        initial="1",
        widget=forms.RadioSelect,
    )
    rrule = forms.CharField(
        label="Or a recurrence rule (optional, for other patterns)",
        required=False,
        max_length=200,
        help_text="RFC 5545, for example FREQ=MONTHLY;BYDAY=1WE for the first Wednesday of each "
        "month. It is used instead of the days above.",
    )
    opens_at = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, for example 10:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time as hours and minutes, like 10:00",
        },
    )
    closes_at = forms.TimeField(
        label="Finish time",
        help_text="24-hour clock, for example 12:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the finish time",
            "invalid": "Enter the finish time as hours and minutes, like 12:30",
        },
    )
    valid_from = GovukDateField(
        label="First session",
        help_text="For example, 6 1 2027",
        error_messages={"required": "Enter the date of the first session"},
    )
    valid_to = GovukDateField(
        label="Last session (optional)",
        required=False,
        help_text="Leave blank if it runs until further notice",
    )
    description = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=300,
        help_text="For example, not in school holidays",
    )

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(loc.pk): loc for loc in locations}
        cast(forms.ChoiceField, self.fields["location"]).choices = [
            ("", "Not set"),
            *((pk, str(loc)) for pk, loc in self.locations.items()),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("rrule") and not data.get("days") and "days" not in self.errors:
            self.add_error("days", "Choose the days the session runs, or enter a recurrence rule")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The finish time must be after the start time")
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "The last session must be on or after the first")
        return data

    def rule(self) -> str:
        data = self.cleaned_data
        if data.get("rrule"):
            return data["rrule"]
        rule = f"FREQ=WEEKLY;BYDAY={','.join(data['days'])}"
        if data.get("interval", 1) > 1:
            rule += f";INTERVAL={data['interval']}"
        return rule

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "location": self.locations.get(data.get("location") or ""),
            "valid_from": data["valid_from"],
            "valid_to": data.get("valid_to"),
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "rrule": self.rule(),
            "description": data.get("description", ""),
        }


class ScheduleEndForm(GovukForm):
    class Layout:
        title = "Stop these sessions"
        button = "Stop the sessions"
        button_style = "warning"

    last_date = GovukDateField(
        label="Date of the last session",
        help_text="For example, 27 3 2027",
        error_messages={"required": "Enter the date of the last session"},
    )


class ServiceDeactivateForm(GovukForm):
    """No fields: it carries the CSRF token and any error about the change."""

    class Layout:
        title = "Are you sure you want to deactivate this service?"
        button = "Deactivate the service"
        button_style = "warning"


class ServiceReactivateForm(GovukForm):
    """No fields: it carries the CSRF token and any error about the change."""

    class Layout:
        title = "Reactivate this service?"
        button = "Reactivate the service"
