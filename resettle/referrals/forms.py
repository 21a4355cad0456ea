"""Forms for the referral pages. They check what was typed; the services decide what may be saved
(eligibility, capacity, "no contact wanted", the state a referral is in)."""

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from resettle.access.categories import Category
from resettle.consent.models import Consent
from resettle.core.pathways import Pathway
from resettle.directory.models import Service
from resettle.referrals.models import DeclineReason, FollowUp, ReferralState, Urgency
from resettle.referrals.selectors import AGES, RECEIVED, SENT, ReferralFilters
from resettle.referrals.services import SHAREABLE_CATEGORIES
from resettle.web.forms import GovukDateField, GovukForm, choices_of


class ServiceModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, service: Service) -> str:
        return f"{service.name} ({service.organisation.name})"


class ChooseServiceForm(GovukForm):
    service = ServiceModelChoice(
        queryset=Service.objects.none(),
        label="Which service are you referring them to?",
        empty_label="Choose a service",
        error_messages={
            "required": "Choose a service",
            "invalid_choice": "Choose a service from the list",
        },
    )
    # Step 1 of referring is a GET form: `choose` says it was sent (so an empty choice is an
    # error, not a first visit) and `parent` carries an onward referral's origin to step 2.
    choose = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)
    parent = forms.CharField(widget=forms.HiddenInput, required=False)

    class Layout:
        title = "Refer to a service"
        button = "Continue"

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = services


class ReferralForm(GovukForm):
    """The referral itself, for one chosen service. The override and the confirmation appear only
    when the service's rules or someone's "no contact wanted" wishes call for them."""

    reason = forms.CharField(
        label="Why are you referring them?",
        help_text="What support they need and what they want from it. Do not include offence "
        "details: the service sees what the person agreed to share, and their suitability answers.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Enter why you are referring them"},
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose a pathway"), *Pathway.choices],
        error_messages={"required": "Choose a pathway"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
        error_messages={"required": "Choose how urgent it is"},
    )
    shared_categories = forms.MultipleChoiceField(
        label="What has the person agreed to share with the service?",
        help_text="Their name and date of birth always go with a referral. Offence details "
        "never do.",
        choices=[(c, Category(c).label) for c in SHAREABLE_CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.ChoiceField(
        label="The consent this rests on",
        help_text="Optional. The service sees only what the agreements and this consent allow.",
        required=False,
    )
    eligibility_override_reason = forms.CharField(
        label="Why are you referring them anyway?",
        help_text="This is recorded with the referral and in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
    no_contact_confirmed = forms.BooleanField(
        label="I have checked this with the person and their worker, and still want to refer",
        required=False,
    )

    class Layout:
        button = "Send referral"
        secondary_button = ("draft", "Save as draft")

    def __init__(
        self,
        *args: Any,
        consents: QuerySet[Consent],
        ineligible: bool,
        no_contact: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.consents = {str(c.pk): c for c in consents}
        if self.consents:
            cast(forms.ChoiceField, self.fields["consent"]).choices = [
                ("none", "None of these"),
                *(
                    (
                        key,
                        f"Given {c.given_on:%-d %B %Y}: "
                        + ", ".join(
                            Category(x).label.lower() for x in c.categories if x in Category.values
                        ),
                    )
                    for key, c in self.consents.items()
                ),
            ]
        else:
            del self.fields["consent"]
        if not ineligible:
            del self.fields["eligibility_override_reason"]
        if not no_contact:
            del self.fields["no_contact_confirmed"]

    def clean_consent(self) -> Consent | None:
        return self.consents.get(self.cleaned_data.get("consent") or "")


class DraftForm(ReferralForm):
    """Changing a draft: the same questions, with the version it was shown at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Layout:
        title = "Change draft referral"
        button = "Save draft"


class ActionForm(GovukForm):
    """Every action posts the version of the referral it was shown, so a change someone else
    made meanwhile is noticed (409) instead of overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WaitingMoveForm(ActionForm):
    class Layout:
        title = "Move on the waiting list"
        button = "Move"

    reason = forms.CharField(
        label="Why should it move?",
        help_text="Your organisation's staff see this on the waiting list and in its history.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why this referral should move"},
    )


class NoteActionForm(ActionForm):
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class DeclineForm(ActionForm):
    reason = forms.ChoiceField(
        label="Why are you declining it?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        help_text="“No capacity” puts it on the waiting list instead, if the service keeps one.",
        error_messages={"required": "Choose why you are declining the referral"},
    )
    detail = forms.CharField(
        label="More detail",
        help_text="Needed for “other”. The referrer sees this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reason") == DeclineReason.OTHER and not (data.get("detail") or "").strip():
            self.add_error("detail", "Enter why you are declining the referral")
        return data


class CompleteForm(ActionForm):
    outcome = forms.CharField(
        label="What did the support achieve?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter what the support achieved"},
    )


class EndForm(ActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message


class ReferralFilterForm(GovukForm):
    state = forms.ChoiceField(
        label="State", choices=[("", "Any state"), *ReferralState.choices], required=False
    )
    service = forms.ChoiceField(label="Service", choices=[("", "Any service")], required=False)
    age = forms.ChoiceField(
        label="Age of referral",
        choices=[("", "Any age"), *((k, v[0]) for k, v in AGES.items())],
        required=False,
    )
    overdue = forms.BooleanField(
        label="Only overdue (waiting too long for a decision)", required=False
    )
    mine = forms.BooleanField(label="Only mine", required=False)

    def __init__(self, *args: Any, box: str, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.box = box
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", "Any service"),
            *((str(s.pk), f"{s.name} ({s.organisation.name})") for s in services),
        ]
        self.fields["state"].widget = forms.Select(choices=choices_of(self.fields["state"]))
        self.fields["age"].widget = forms.Select(choices=choices_of(self.fields["age"]))
        self.fields["mine"].label = (
            "Only those I handled" if box == RECEIVED else "Only those I sent"
        )

    def filters(self, ordering: str) -> ReferralFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ReferralFilters(
            box=self.box if self.box in (SENT, RECEIVED) else SENT,
            state=data.get("state") or "",
            service=data.get("service") or "",
            age=data.get("age") or "",
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
            ordering=ordering,
        )


class SignpostingForm(GovukForm):
    service = ServiceModelChoice(
        queryset=Service.objects.none(),
        label="Service in the directory",
        empty_label="Not in the directory",
        required=False,
    )
    service_name = forms.CharField(
        label="Or the name of the service",
        help_text="For a service not in the directory, such as a GP surgery or a helpline",
        max_length=200,
        required=False,
    )
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=[("", "Choose a pathway"), *Pathway.choices],
        error_messages={"required": "Choose a pathway"},
    )
    signposted_on = GovukDateField(label="Date signposted", help_text="For example, 27 3 2025")
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    follow_up_on = GovukDateField(
        label="When to check whether they went",
        help_text="Optional. For example, 10 4 2025",
        required=False,
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = services
        self.fields["signposted_on"].initial = date.today()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("service") and not (data.get("service_name") or "").strip():
            self.add_error("service", "Choose a service from the directory, or enter its name")
        return data


class FollowUpForm(GovukForm):
    follow_up = forms.ChoiceField(
        label="Did they go?",
        choices=[c for c in FollowUp.choices if c[0] != FollowUp.NOT_YET],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they went"},
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
