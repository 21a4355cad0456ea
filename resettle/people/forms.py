"""Forms for the people pages. They check what was typed; the services decide what may be saved."""

from collections.abc import Collection
from typing import Any, cast

from django import forms

from resettle.access import registry
from resettle.access.categories import Category
from resettle.lib.identifiers import normalise_identifier
from resettle.people import choices
from resettle.people.categories import PERSON_FIELDS, person_fields_in
from resettle.people.models import Address, Household, Person, PersonName
from resettle.web.forms import GovukDateField, GovukForm, GovukModelForm

# The identifier schemes a person form asks for, with the format each one takes.
IDENTIFIER_HINTS = {
    choices.IdentifierScheme.PRISON_NUMBER: "For example, A1234BC",
    choices.IdentifierScheme.CRN: "For example, X123456",
    choices.IdentifierScheme.PNC: "For example, 2012/0052494Q",
    choices.IdentifierScheme.NI_NUMBER: "For example, QQ123456C",
}
IDENTIFIER_FIELDS = tuple(str(scheme) for scheme in IDENTIFIER_HINTS)
# The person's contact details (data category `contact`, see resettle/people/categories.py).
CONTACT_FIELDS = tuple(person_fields_in({Category.CONTACT}, list(PERSON_FIELDS)))
# The fields whose change may make an existing record a duplicate of another.
MATCHING_FIELDS = frozenset({"given_name", "family_name", "date_of_birth", *IDENTIFIER_FIELDS})

SORT_LABELS = {
    "name": "Name (A to Z)",
    "-name": "Name (Z to A)",
    "date_of_birth": "Date of birth (oldest first)",
    "-date_of_birth": "Date of birth (youngest first)",
    "updated": "Recently updated",
}


def _grouped_ethnicities() -> list[tuple[str, Any]]:
    """ONS ethnic groups under their high-level heading, for a select with option groups."""
    unknown = [
        (choices.NOT_RECORDED, "Not recorded"),
        (choices.PREFER_NOT_TO_SAY, "Prefer not to say"),
    ]
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, label in choices.Ethnicity.choices:
        if value in {choices.NOT_RECORDED, choices.PREFER_NOT_TO_SAY}:
            continue
        heading, _, group = label.partition(": ")
        groups.setdefault(heading, []).append((value, group[:1].upper() + group[1:]))
    return unknown + list(groups.items())


class PersonSearchForm(GovukForm):
    q = forms.CharField(
        label="Name or identifier",
        required=False,
        max_length=200,
        help_text="A name (nicknames and misspellings are found too), or a prison number, CRN, "
        "PNC ID or National Insurance number",
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 1985"
    )
    sex = forms.ChoiceField(
        label="Sex", required=False, choices=[("", "Any"), *choices.Sex.choices]
    )
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), widget=forms.HiddenInput
    )

    def filters(self) -> dict[str, Any]:
        """The selector's arguments from a valid form; no filters from an invalid one."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": data.get("q", ""),
            "date_of_birth": data.get("date_of_birth"),
            "sex": data.get("sex", ""),
            "ordering": data.get("sort") or "name",
        }


class PersonForm(GovukModelForm):
    """A case worker's data-entry form for one person's details and identifiers."""

    confirm_new = forms.BooleanField(
        label="None of these is the person — add a new record",
        required=False,
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "middle_names",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_identity",
            "gender_identity_description",
            "pronouns",
            "pronouns_description",
            "ethnicity",
            "disability",
            "phone",
            "email",
        ]
        labels = {
            "given_name": "First name",
            "middle_names": "Middle names (optional)",
            "family_name": "Last name",
            "preferred_name": "Preferred name (optional)",
            "date_of_birth": "Date of birth (optional)",
            "gender_identity": "Gender identity",
            "gender_identity_description": "How do they describe their gender identity? (optional)",
            "pronouns_description": "Which pronouns do they use? (optional)",
            "disability": "Do they have a disability or long-term condition?",
            "phone": "Phone number (optional)",
            "email": "Email address (optional)",
        }
        help_texts = {
            "preferred_name": "The name they like to be called, if different",
            "date_of_birth": "For example, 27 3 1985. Leave blank if it is not known.",
            "sex": "Sex registered at birth",
            "gender_identity_description": "Only if they chose another identity",
            "pronouns_description": "Only if they chose other",
            "disability": "Physical or mental health conditions or illnesses lasting or expected "
            "to last 12 months or more that limit day-to-day activities",
            "phone": "For international numbers include the country code",
        }
        error_messages = {
            "given_name": {
                "required": "Enter their first name",
                "max_length": "First name must be 100 characters or fewer",
            },
            "middle_names": {"max_length": "Middle names must be 200 characters or fewer"},
            "family_name": {
                "required": "Enter their last name",
                "max_length": "Last name must be 100 characters or fewer",
            },
            "preferred_name": {"max_length": "Preferred name must be 100 characters or fewer"},
            "email": {
                "invalid": "Enter an email address in the correct format, like name@example.com"
            },
            "phone": {"max_length": "Phone number must be 30 characters or fewer"},
        }
        widgets = {
            "given_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "middle_names": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "preferred_name": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(
        self,
        *args: Any,
        with_contact: bool = False,
        identifier_schemes: Collection[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`with_contact`: whether the actor may see (so change) the person's contact details.
        Without it the fields are left out, and so are never saved blank over what is there.
        `identifier_schemes`: the schemes the actor may see (by default those of identity);
        the others are left out in the same way."""
        super().__init__(*args, **kwargs)
        if not with_contact:
            for name in CONTACT_FIELDS:
                del self.fields[name]
        if identifier_schemes is None:
            identifier_schemes = registry.identifier_schemes_in({Category.IDENTITY})
        cast(forms.ChoiceField, self.fields["ethnicity"]).choices = _grouped_ethnicities()
        for scheme, hint in IDENTIFIER_HINTS.items():
            if scheme not in identifier_schemes:
                continue
            self.fields[str(scheme)] = forms.CharField(
                label=f"{scheme.label} (optional)",
                help_text=hint,
                required=False,
                max_length=20,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "class": "govuk-input--width-10",
                    }
                ),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Identifiers are checked here too, so a mistyped one is reported before any
        # duplicate warning rather than after the user has confirmed a new record.
        for scheme in self.identifier_fields:
            raw = (data.get(scheme) or "").strip()
            if raw:
                try:
                    data[scheme] = normalise_identifier(scheme, raw)
                except ValueError as exc:
                    self.add_error(scheme, str(exc))
        # A description only goes with the answer that asks for one, so it cannot go stale.
        if data.get("gender_identity") != choices.GenderIdentity.OTHER:
            data["gender_identity_description"] = ""
        if data.get("pronouns") != choices.Pronouns.OTHER:
            data["pronouns_description"] = ""
        return data

    def person_data(self) -> dict[str, Any]:
        """The person's fields this form showed: a field left out is left as it is."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}

    @property
    def with_contact(self) -> bool:
        return "phone" in self.fields

    @property
    def identifier_fields(self) -> list[str]:
        return [scheme for scheme in IDENTIFIER_FIELDS if scheme in self.fields]

    @property
    def identifier_bound_fields(self) -> list[forms.BoundField]:
        return [self[scheme] for scheme in self.identifier_fields]

    def identifiers(self) -> dict[str, str]:
        """Every scheme the form asks for, empty for none, so clearing an identifier removes it."""
        return {scheme: self.cleaned_data.get(scheme) or "" for scheme in self.identifier_fields}

    def matching_fields_changed(self) -> bool:
        return bool(MATCHING_FIELDS & set(self.changed_data))


def person_initial(
    person: Person, *, with_contact: bool, identifier_schemes: Collection[str]
) -> dict[str, Any]:
    """A person form's starting values: the record as it is, and its identifiers. Contact
    details only `with_contact`, identifiers only of `identifier_schemes`, so a page that may
    not show them never holds them."""
    fields = [f for f in PersonForm.Meta.fields if with_contact or f not in CONTACT_FIELDS]
    initial = forms.model_to_dict(person, fields=fields)
    initial.update(
        {i.scheme: i.value for i in person.identifiers.filter(scheme__in=identifier_schemes)}
    )
    return initial


class PersonNameForm(GovukModelForm):
    class Meta:
        model = PersonName
        fields = ["kind", "given_name", "family_name"]
        labels = {
            "kind": "What kind of name is it?",
            "given_name": "First name (optional)",
            "family_name": "Last name",
        }
        error_messages = {
            "kind": {"required": "Choose what kind of name it is"},
            "family_name": {"required": "Enter the last name"},
        }


class AddressForm(GovukModelForm):
    class Meta:
        model = Address
        fields = ["kind", "line_1", "line_2", "town", "postcode", "from_date", "to_date"]
        labels = {
            "kind": "What kind of address is it?",
            "line_1": "Address line 1",
            "line_2": "Address line 2 (optional)",
            "town": "Town or city (optional)",
            "postcode": "Postcode",
            "from_date": "Date they moved in (optional)",
            "to_date": "Date they moved out (optional)",
        }
        help_texts = {
            "line_1": "Leave the address blank if they have no fixed abode",
            "from_date": "For example, 27 3 2025. Their current address ends when this one starts.",
            "to_date": "Leave blank if they still live there",
        }
        error_messages = {
            "kind": {"required": "Choose what kind of address it is"},
        }
        widgets = {
            "postcode": forms.TextInput(
                attrs={"autocomplete": "off", "class": "govuk-input--width-10"}
            ),
        }


def person_option_label(person: Person) -> str:
    """How a person is told apart from others with similar names in a list of choices."""
    born = person.date_of_birth.strftime("%-d %B %Y") if person.date_of_birth else "not recorded"
    # Only the identifiers prefetched as the actor may see them (people.categories).
    shown = getattr(person, "shown_identifiers", [])
    identifiers = ", ".join(identifier.value for identifier in shown)
    label = f"{person.full_name}, born {born}"
    return f"{label} ({identifiers})" if identifiers else label


class RelativeSearchForm(GovukForm):
    q = forms.CharField(
        label="Search for the family member",
        help_text="Their name or an identifier. They must already have a record that you can see.",
        max_length=200,
    )


class RelationshipForm(GovukForm):
    related_person = forms.ModelChoiceField(
        label="Family member",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the family member",
            "invalid_choice": "Choose a person from the search results",
        },
    )
    kind = forms.ChoiceField(
        label="What are they to this person?",
        choices=choices.RelationshipKind.choices,
        error_messages={"required": "Choose how they are related"},
    )
    lives_with = forms.TypedChoiceField(
        label="Do they live together?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Say whether they live together"},
    )
    contact_wishes = forms.ChoiceField(
        label="What contact does this person want with them?",
        choices=choices.ContactWishes.choices,
        initial=choices.NOT_RECORDED,
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, max_length=1000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, candidates: list[Person], people, **kwargs: Any) -> None:
        """`people` is every person the actor may choose (checked on submit); `candidates`
        are the search results offered in the select."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["related_person"])
        field.queryset = people
        field.help_text = (
            "The people who match your search. If they are not here, search with more detail."
        )
        field.choices = [("", "Choose a person")] + [
            (str(person.pk), person_option_label(person)) for person in candidates
        ]


class HouseholdForm(GovukModelForm):
    class Meta:
        model = Household
        fields = ["name", "notes"]
        labels = {"name": "Household name", "notes": "Notes (optional)"}
        help_texts = {"name": "For example, the family name and the street: Smith, Elm Road"}
        error_messages = {"name": {"required": "Enter a name for the household"}}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class HouseholdCreateForm(HouseholdForm):
    members = forms.MultipleChoiceField(
        label="Who lives in the household?",
        help_text="Select all that apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person who lives in the household"},
    )

    class Meta(HouseholdForm.Meta):
        pass

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["members"]).choices = [
            (str(person.pk), person_option_label(person)) for person in people
        ]


class LeaveHouseholdForm(GovukForm):
    left_on = GovukDateField(
        label="Date they left",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date they left"},
    )


class MergeForm(GovukForm):
    """Which of two records of one person survives, and why they are merged."""

    class Layout:
        title = "Merge these records"
        button = "Merge records"
        warning = (
            "Everything on the other record moves to the one that stays. The other record is "
            "kept, empty, so the merge can be undone."
        )

    survivor = forms.ChoiceField(
        label="Which record stays?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which record stays"},
    )
    reason = forms.CharField(
        label="Why are these records being merged?",
        help_text="The audit trail of both records shows this reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why these records are being merged"},
    )
    seen = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, records: list[tuple[str, str]], seen: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["survivor"]).choices = records
        self.fields["seen"].initial = seen


class UnmergeForm(GovukForm):
    class Layout:
        title = "Undo this merge"
        button = "Undo merge"
        button_style = "warning"

    reason = forms.CharField(
        label="Why is this merge being undone?",
        help_text="The audit trail of both records shows this reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why this merge is being undone"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
