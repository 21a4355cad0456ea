"""The people forms' own behaviour: choices, identifier formats and tidy descriptions."""

import pytest

from resettle.people.choices import Ethnicity, GenderIdentity, IdentifierScheme
from resettle.people.forms import SORT_LABELS, PersonForm
from resettle.people.selectors import ORDERINGS


def valid_data(**changes) -> dict[str, str]:
    data = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "sex": "not_recorded",
        "gender_identity": "not_recorded",
        "pronouns": "not_recorded",
        "ethnicity": "not_recorded",
        "disability": "not_recorded",
    }
    return data | changes


def test_every_ordering_the_selector_offers_has_a_label():
    assert set(SORT_LABELS) == set(ORDERINGS)


def test_ethnicity_is_grouped_under_ons_headings_with_unknowns_first():
    choices = PersonForm().fields["ethnicity"].choices
    assert [value for value, _ in choices[:2]] == ["not_recorded", "prefer_not_to_say"]
    headings = [label for label, options in choices[2:]]
    assert headings[0] == "Asian or Asian British"
    offered = {value for _, options in choices[2:] for value, _ in options}
    assert offered | {"not_recorded", "prefer_not_to_say"} == set(Ethnicity.values)


@pytest.mark.django_db  # model validation checks the database constraints
def test_identifiers_are_normalised():
    form = PersonForm(
        valid_data(prison_number=" a1234bc ", pnc="2012/52494q"),
        identifier_schemes=IdentifierScheme.values,
    )
    assert form.is_valid(), form.errors
    assert form.identifiers() == {
        "prison_number": "A1234BC",
        "crn": "",
        "pnc": "2012/0052494Q",
        "ni_number": "",
    }


@pytest.mark.django_db
def test_by_default_the_form_asks_only_for_identifiers_of_identity():
    form = PersonForm(valid_data(prison_number="A1234BC", ni_number="AB123456C"))
    assert form.is_valid(), form.errors
    assert "prison_number" not in form.fields
    assert form.identifiers() == {"ni_number": "AB123456C"}


@pytest.mark.django_db
def test_a_description_is_kept_only_with_the_answer_that_asks_for_it():
    kept = PersonForm(
        valid_data(gender_identity=GenderIdentity.OTHER, gender_identity_description="Agender")
    )
    dropped = PersonForm(
        valid_data(gender_identity=GenderIdentity.MAN, gender_identity_description="Agender")
    )
    assert kept.is_valid() and dropped.is_valid()
    assert kept.person_data()["gender_identity_description"] == "Agender"
    assert dropped.person_data()["gender_identity_description"] == ""
